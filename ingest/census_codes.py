"""The CSWW census code lists (DfE's codes and their meanings), defined once.

Why in ingest/: the monthly extract offers these lists as dropdowns (and accepts the codes or
the words), and ingest is the lowest layer that needs them; census/ builds its item
declarations on them.
"""

from __future__ import annotations

ETHNICITY: dict[str, str] = {
    "WBRI": "White British", "WIRI": "White Irish", "WOTH": "Any other White background",
    "MWBC": "White and Black Caribbean", "MWBA": "White and Black African",
    "MWAS": "White and Asian", "MOTH": "Any other Mixed background", "AIND": "Indian",
    "APKN": "Pakistani", "ABAN": "Bangladeshi", "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean", "BAFR": "Black African", "BOTH": "Any other Black background",
    "CHNE": "Chinese", "OOTH": "Any other ethnic group", "REFU": "Declared not stated or refused",
    "NOBT": "Information not yet obtained",
}
#: ONS 2021 detailed categories (and DfE's extended codes) -> the census's 18 codes; values the
#: census has no code for go to their group's "any other" code, as DfE's guidance maps them.
ETHNICITY_ALIASES: dict[str, str] = {
    "White: English, Welsh, Scottish, Northern Irish or British": "WBRI",
    "White: Irish": "WIRI", "White: Gypsy or Irish Traveller": "WOTH", "White: Roma": "WOTH",
    "White: Other White": "WOTH",
    "Mixed or Multiple ethnic groups: White and Black Caribbean": "MWBC",
    "Mixed or Multiple ethnic groups: White and Black African": "MWBA",
    "Mixed or Multiple ethnic groups: White and Asian": "MWAS",
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups": "MOTH",
    "Asian, Asian British or Asian Welsh: Indian": "AIND",
    "Asian, Asian British or Asian Welsh: Pakistani": "APKN",
    "Asian, Asian British or Asian Welsh: Bangladeshi": "ABAN",
    "Asian, Asian British or Asian Welsh: Chinese": "CHNE",
    "Asian, Asian British or Asian Welsh: Other Asian": "AOTH",
    "Black, Black British, Black Welsh, Caribbean or African: African": "BAFR",
    "Black, Black British, Black Welsh, Caribbean or African: Caribbean": "BCRB",
    "Black, Black British, Black Welsh, Caribbean or African: Other Black": "BOTH",
    "Other ethnic group: Arab": "OOTH", "Other ethnic group: Any other ethnic group": "OOTH",
    "Refused": "REFU", "Prefer not to say": "REFU", "Not stated": "REFU",
    "Not known": "NOBT", "Unknown": "NOBT", "Not recorded": "NOBT",
    "Information not yet obtained": "NOBT",
    # DfE's extended codes
    "WIRT": "WOTH", "WROM": "WOTH", "WENG": "WBRI", "WSCO": "WBRI", "WWEL": "WBRI",
    "WOWB": "WBRI", "WCOR": "WBRI", "MAOE": "MOTH", "MABL": "MOTH", "MACH": "MOTH",
    "MWCH": "MOTH", "MOTM": "MOTH", "AAFR": "AOTH", "AKPA": "APKN", "AMPK": "APKN",
    "AOPK": "APKN", "ANEP": "AOTH", "ASLT": "AOTH", "ASNL": "AOTH", "AOTA": "AOTH",
    "BANN": "BAFR", "BCON": "BAFR", "BGHA": "BAFR", "BNGN": "BAFR", "BSLN": "BAFR",
    "BSOM": "BAFR", "BSUD": "BAFR", "BAOF": "BAFR", "BEUR": "BOTH", "BNAM": "BOTH",
    "BOTB": "BOTH", "OARA": "OOTH", "OAFG": "OOTH", "OEGY": "OOTH", "OFIL": "OOTH",
    "OIRN": "OOTH", "OIRQ": "OOTH", "OJPN": "OOTH", "OKOR": "OOTH", "OKRD": "OOTH",
    "OLAM": "OOTH", "OLEB": "OOTH", "OLIB": "OOTH", "OMAL": "OOTH", "OMRC": "OOTH",
    "OPOL": "OOTH", "OTHR": "OOTH", "OVIE": "OOTH", "OYEM": "OOTH", "OOEG": "OOTH",
}
QUAL_LEVEL = {"1": "Under-graduate", "2": "Post-graduate", "3": "Other"}
YES_NO = {"0": "No", "1": "Yes"}
AGENCY = {"0": "Not an agency worker", "1": "Agency worker"}
GENDER_CURRENT = {"0": "Not known", "1": "Male", "2": "Female", "9": "Not specified"}
SEX = {"M": "Male", "F": "Female"}
ORG_ROLE = {
    "1": "Senior manager", "2": "Middle manager", "3": "First line manager",
    "4": "Senior practitioner", "5": "Case holder", "6": "Qualified without cases",
}
START_ORIGIN = {
    "1": "Newly qualified social worker",
    "2": "Social worker role in a different local authority in England",
    "3": "Social worker role outside England",
    "4": "Agency or consultancy in social work (in England)",
    "5": "Other social work role non-local authority (in England)",
    "6": "Other social care role in local authority/non-local authority (in England)",
    "7": "Non-social care role/any role outside England/no employment/career break",
    "8": "Other", "9": "Not known", "10": "Not yet collected",
}
LEAVER_DESTINATION = {
    "1": "Social worker role in a different local authority in England",
    "2": "Social worker role outside England",
    "3": "Agency or consultancy in social work (in England)",
    "4": "Other social work role non-local authority (in England)",
    "5": "Other social care role in local authority/non-local authority (in England)",
    "6": "Non-social care role/any role outside England/no employment/career break",
    "7": "Other", "8": "Not known", "9": "Not yet collected",
}
REASON_LEAVE = {
    "1": "Resignation", "2": "Voluntary redundancy", "3": "Compulsory redundancy",
    "4": "Dismissed", "5": "Retired", "6": "Deceased",
    "7": "Moved to a non-child and family social work role within LA", "8": "Other",
    "9": "Not known", "10": "Not yet collected",
}
REASON_ABSENCE = {
    "MAT": "Maternity/paternity leave",
    "OTH": "Other paid authorised absence (e.g. compassionate leave)",
    "PUB": "Paid absence for public duties (e.g. jury duty)", "SIC": "Sick leave",
    "TRN": "Training", "UNA": "Unauthorised absence", "UNP": "Unpaid authorised absence",
}
CFKSS = {"1": "Assessed and Supported Year in Employment (ASYE)",
         "2": "Frontline practitioner", "3": "Practice supervisor", "4": "Practice leader"}
NO_ALL_SOME = {"0": "No", "1": "Yes, all LA-employed social workers are eligible",
               "2": "Yes, some LA-employed social workers are eligible"}
