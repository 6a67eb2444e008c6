"""The 19 Sep 2024 network as a bank would hold it the day before, as FtM JSON lines.

Facts from shared/scenario/FACTS_2024-09-19.md. Sanctioned already (topic ``sanction``):
FTB (SDN since 2013), KKBC (since 2009) and TSMRBank (UKRAINE-EO13660). Not yet designated:
MRB Bank, Timer Bank, Stroytreyd and Nikulin: the analysis should find them by relationships.
The payment amount and date are illustrative (the sources say "millions of dollars").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PALIKHA = "ul. Palikha, d. 10, Str. 7, Moscow 127055"


def entity(entity_id: str, schema: str, **props: Any) -> dict[str, Any]:
    return {
        "id": entity_id,
        "schema": schema,
        "properties": {k: v if isinstance(v, list) else [v] for k, v in props.items()},
    }


def story_entities() -> list[dict[str, Any]]:
    return [
        entity(
            "ftb",
            "Company",
            name="Foreign Trade Bank of the DPRK",
            swiftBic="FTBDKPPY",
            country="kp",
            topics="sanction",
        ),
        entity(
            "kkbc", "Company", name="Korea Kwangson Banking Corp", country="kp", topics="sanction"
        ),
        entity(
            "tsmr",
            "Company",
            name="TSMRBank OOO",
            taxNumber="7750056670",
            registrationNumber="1157700005759",
            address=PALIKHA,
            country="ru",
            topics="sanction",
        ),
        entity(
            "mrb",
            "Company",
            name="MRB Bank",
            incorporationDate="2015-05-15",
            registrationNumber="1159800030409",
            address="Stalin Street 20, Tskhinvali, South Ossetia, Georgia",
        ),
        entity(
            "timer",
            "Company",
            name="Timer Bank AO",
            swiftBic="TIMERU2K",
            incorporationDate="1991-10-03",
            taxNumber="1653016689",
            country="ru",
        ),
        entity(
            "stroytreyd",
            "Company",
            name="Stroytreyd LLC",
            incorporationDate="2023-10-17",
            taxNumber="9728108831",
            country="ru",
        ),
        entity(
            "nikulin",
            "Person",
            name="Dmitry Yuryevich Nikulin",
            birthDate="1975-02-20",
            address=PALIKHA,
            nationality="ru",
        ),
        entity(
            "acct-ftb-mrb", "UnknownLink", subject="ftb", object="mrb", role="correspondent account"
        ),
        entity(
            "acct-kkbc-mrb",
            "UnknownLink",
            subject="kkbc",
            object="mrb",
            role="correspondent account",
        ),
        entity(
            "timer-for-ftb",
            "UnknownLink",
            subject="timer",
            object="ftb",
            role="intermediary (on behalf of)",
        ),
        entity(
            "pay-timer-stroytreyd",
            "Payment",
            payer="timer",
            beneficiary="stroytreyd",
            amount="2500000",
            currency="USD",
            date="2024-03-12",
        ),
        entity(
            "nikulin-at-tsmr",
            "Employment",
            employee="nikulin",
            employer="tsmr",
            role="Vice-President",
        ),
    ]


def write_story(path: Path) -> Path:
    path.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in story_entities()),
        encoding="utf-8",
    )
    return path
