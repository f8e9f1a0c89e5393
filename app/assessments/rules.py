"""Assessment rules as plain functions over plain values."""

from app.assessments.forms import AssessmentInput
from app.models import Indicator


def assessment_is_complete(*, data: AssessmentInput, required: list[Indicator]) -> bool:
    """Complete = every asked indicator answered and household size plus income or spending known."""
    answered = all((i.id or 0) in data.answers for i in required)
    economy = data.household_size is not None and (data.monthly_income is not None or data.monthly_spending is not None)
    return answered and economy
