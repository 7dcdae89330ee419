"""Public, non-personal vocabulary: what police.uk data, ASB logs and statistics are made of.

Real Dacorum (Hertfordshire) wards, police.uk location names, crime types and
outcome categories, so must-allow payloads read like the published data they imitate.
"""

from __future__ import annotations

__all__ = [
    "WARDS", "POLICE_UK_STREETS", "CRIME_TYPES", "OUTCOMES", "ASB_TYPES", "CLEAN_NOTES",
    "USER_AGENTS", "FORCE", "PATHS", "STREETS",
]

FORCE = "Hertfordshire Constabulary"

WARDS = (
    "Adeyfield East", "Adeyfield West", "Aldbury and Wigginton", "Apsley and Corner Hall",
    "Ashridge", "Bennetts End", "Berkhamsted Castle", "Berkhamsted East", "Berkhamsted West",
    "Bovingdon, Flaunden and Chipperfield", "Boxmoor", "Chaulden and Warners End", "Gadebridge",
    "Grovehill", "Hemel Hempstead Town", "Highfield", "Kings Langley", "Leverstock Green",
    "Nash Mills", "Northchurch", "Tring Central", "Tring East", "Tring West and Rural",
    "Watling", "Woodhall Farm",
)

# Streets in and around Hemel Hempstead.
STREETS = (
    "Marlowes", "Queensway", "Waterhouse Street", "Leighton Buzzard Road", "Adeyfield Road",
    "St Albans Road", "Bennetts End Road", "Longlands", "Warners End Road", "Cotterells",
    "Combe Street", "Bridge Street", "High Street", "George Street", "Alexandra Road",
    "Station Road", "London Road", "Belswains Lane", "Galley Hill", "Northridge Way",
    "Jupiter Drive", "Fishery Road", "Horsecroft Road", "Two Waters Road", "Kings Road",
    "Midland Road", "Hillfield Road", "Lawn Lane", "Grovehill Road", "Henry Wells Square",
    "Bury Road", "Maylands Avenue", "Breakspear Way", "Boundary Way", "Redbourn Road",
    "Three Cherry Trees Lane", "Swallowdale Lane", "Bellgate", "Peascroft Road",
    "Barnacres Road", "Leverstock Green Road", "Westwick Row", "Durrants Hill Road",
    "Frogmore Road", "Featherbed Lane", "Roughdown Road", "St Johns Road", "Long Chaulden",
    "Chaulden Lane", "Gadebridge Road", "Fletcher Way", "Tile Kiln Lane", "Highfield Lane",
    "Cambrian Way", "Datchworth Turn", "Coniston Road", "Mercury Walk", "Saturn Way",
    "Hollybush Lane", "Cupid Green Lane", "Queens Square", "Stoneycroft", "Park Road",
    "Piccotts End Road", "Moor End Road", "Market Square", "Washington Avenue", "Link Road",
    "Heath Lane", "Allandale", "Northend", "Wood Lane End", "Warren Road", "Sunnyhill Road",
)
# police.uk's anonymised map points: a street or a kind of place, never a house.
POLICE_UK_STREETS = STREETS + (
    "Parking Area", "Supermarket", "Petrol Station", "Shopping Area", "Nightclub",
    "Sports/recreation Area", "Further/higher Educational Building", "Hospital",
    "Police Station", "Theatre/concert Hall", "Pedestrian Subway", "Bus/coach Station",
    "Park/open Space", "Conference/exhibition Centre",
)

CRIME_TYPES = (
    "Anti-social behaviour", "Anti-social behaviour", "Anti-social behaviour", "Bicycle theft",
    "Burglary", "Criminal damage and arson", "Drugs", "Other theft", "Possession of weapons",
    "Public order", "Robbery", "Shoplifting", "Theft from the person", "Vehicle crime",
    "Violence and sexual offences", "Violence and sexual offences", "Other crime",
)

OUTCOMES = (
    "Investigation complete; no suspect identified", "Unable to prosecute suspect",
    "Under investigation", "Status update unavailable", "Local resolution",
    "Offender given a caution", "Awaiting court outcome", "Court result unavailable",
    "Further investigation is not in the public interest",
    "Formal action is not in the public interest", "Offender sent to prison",
    "Suspect charged as part of another case",
)

ASB_TYPES = (
    "Noise", "Rowdy or inconsiderate behaviour", "Neighbour dispute",
    "Vehicle nuisance or inappropriate use", "Drug related", "Street drinking", "Begging",
    "Fly-tipping", "Animal problems", "Hoax calls", "Littering/drugs paraphernalia",
)

# Case-note lines with nobody in them.
CLEAN_NOTES = (
    "Group of youths on Marlowes near the bus station, dispersed on arrival.",
    "Report of drug paraphernalia in the stairwell, council cleansing team informed.",
    "Graffiti on the underpass by the Water Gardens, passed to Dacorum BC.",
    "Noise from a house party, words of advice given, no further calls.",
    "Street drinking around the benches on the High Street, referred to outreach.",
    "Fly-tipping reported on Longlands, removed by the council within 48 hours.",
    "Off-road motorbikes ridden across Boxmoor common, weekend patrols increased.",
    "Closed: no further reports in 28 days.",
    "Caller reported noise from a neighbouring flat; advised to use the noise app.",
    "Anonymous report of drug dealing near the shops on Bennetts End Road.",
    "Youths throwing stones at buses on Queensway, patrols arranged for school finish.",
    "Abandoned car reported on Warners End Road, passed to the council.",
    "Community protection warning issued; case reviewed at the monthly ASB panel.",
    "Repeat report; linked to the existing case and reviewed by the SNT sergeant.",
    "Mediation offered to both households and accepted.",
    "Noise from a licensed premises on Marlowes after midnight, licensing team informed.",
    "Shopping trolleys dumped in the river by Two Waters Road, retailer contacted.",
    "Begging outside the supermarket, outreach worker attended with officers.",
    "Dog fouling on the playing field, dog warden patrols requested.",
    "Hoax calls to the non-emergency line from a payphone, BT asked to disconnect it.",
)

USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.3.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/121.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
)

PATHS = (
    "/", "/report/asb", "/report/asb/confirm", "/news", "/news/appeal-marlowes",
    "/contact", "/search?q=noise+nuisance", "/your-area/dacorum", "/assets/site.css",
    "/assets/logo@2x.png", "/track-my-report", "/api/v1/wards/boxmoor/stats",
)
