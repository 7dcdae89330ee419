"""Log lines leave the building too: mask personal data before any handler writes it."""

import logging
import sys

from guardrail_logging import PersonalDataFilter

action = sys.argv[1] if len(sys.argv) > 1 else "mask"
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
handler.addFilter(PersonalDataFilter("uk-content-scan", action=action))
log = logging.getLogger("cases")
log.addHandler(handler)
log.setLevel(logging.INFO)

log.info("case %s closed for ward %s", "ASB-1042", "Adeyfield East")
log.info("complaint from %s about noise at HP3 9QT", "daniel.hughes@example.com")
try:
    raise ValueError("no reply on 07700 900123")
except ValueError:
    log.exception("callback failed")
