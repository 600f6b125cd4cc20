"""Legal bases for processing, as HubSpot names them, with the labels users see."""

from enum import StrEnum


class LegalBasis(StrEnum):
    LEGITIMATE_INTEREST_PQL = "LEGITIMATE_INTEREST_PQL"
    LEGITIMATE_INTEREST_CLIENT = "LEGITIMATE_INTEREST_CLIENT"
    LEGITIMATE_INTEREST_OTHER = "LEGITIMATE_INTEREST_OTHER"
    PERFORMANCE_OF_CONTRACT = "PERFORMANCE_OF_CONTRACT"
    CONSENT_WITH_NOTICE = "CONSENT_WITH_NOTICE"
    NON_GDPR = "NON_GDPR"
    PROCESS_AND_STORE = "PROCESS_AND_STORE"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    LegalBasis.LEGITIMATE_INTEREST_PQL: "Legitimate interest – prospect/lead",
    LegalBasis.LEGITIMATE_INTEREST_CLIENT: "Legitimate interest – existing customer",
    LegalBasis.LEGITIMATE_INTEREST_OTHER: "Legitimate interest – other",
    LegalBasis.PERFORMANCE_OF_CONTRACT: "Performance of a contract",
    LegalBasis.CONSENT_WITH_NOTICE: "Freely given consent from contact",
    LegalBasis.NON_GDPR: "Not applicable",
    LegalBasis.PROCESS_AND_STORE: "Process and store",
}
