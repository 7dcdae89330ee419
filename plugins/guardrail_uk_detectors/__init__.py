"""UK personal-data detectors: postcodes, phones, emails, NINO, NHS and card numbers,
dates of birth, vehicle registrations, person names, street addresses, IP addresses,
IBANs, passport numbers and driving licence numbers.

Every detector has a candidate ``pattern`` (RE2-compatible, so the engine can gate
all of them with one RE2 set) and validates candidates in Python: check digits,
issuing rules, name lists, context words. See each module for its rules and sources.
"""

from __future__ import annotations

from guardrail.plugin import hookimpl

from .addresses import StreetAddressDetector
from .banking import IbanDetector
from .contact import EmailDetector
from .dates import DateOfBirthDetector
from .documents import DrivingLicenceDetector, PassportDetector
from .identifiers import NhsNumberDetector, NinoDetector, PaymentCardDetector
from .names import PersonNameDetector
from .network import IpAddressDetector
from .phone import PhoneDetector
from .postcode import PostcodeDetector
from .vehicles import VehicleRegistrationDetector

__all__ = ["DETECTORS", "guardrail_register_detectors"]

DETECTORS = (
    PostcodeDetector,
    PhoneDetector,
    EmailDetector,
    NinoDetector,
    NhsNumberDetector,
    PaymentCardDetector,
    DateOfBirthDetector,
    VehicleRegistrationDetector,
    PersonNameDetector,
    StreetAddressDetector,
    IpAddressDetector,
    IbanDetector,
    PassportDetector,
    DrivingLicenceDetector,
)


@hookimpl
def guardrail_register_detectors(register) -> None:
    for detector in DETECTORS:
        register(detector())
