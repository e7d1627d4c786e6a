"""The scenario format as pydantic models: the public contract trainers write against.

`coach schema` publishes the JSON Schema generated from these models.
"""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from coach.principles import PRINCIPLES, Act, CustomerTypeId, Lang, Outcome, Phase, PrincipleId
from coach.scenario.text import clean_text, localize  # noqa: F401  (localize: re-exported)

CleanStr = Annotated[str, AfterValidator(clean_text)]
StepId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]

#: A text in one language (a plain string) or in several ({zh: …, en: …}).
Localized = Union[CleanStr, dict[Lang, CleanStr]]


def text_langs(text: Localized | None) -> set[str] | None:
    """Languages a text is written in; None for a plain string (any language)."""
    if text is None or isinstance(text, str):
        return None
    return set(text)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class Customer(_Strict):
    name: Localized = Field(description="How the teller addresses the customer.")
    type: CustomerTypeId = Field(description="The article's three customer types.")
    mood: int = Field(50, ge=0, le=100, description="0 calm … 100 furious, at the start.")
    profile: Localized | None = Field(None, description="What the teller may know beforehand.")
    wants: Localized | None = Field(None, description="What the customer came for.")


class Choice(_Strict):
    text: Localized = Field(description="What the teller says or does.")
    act: Act = Field(description="The kind of move; the engine's rules read it.")
    scores: dict[PrincipleId, Annotated[int, Field(ge=-3, le=3)]] = Field(
        default_factory=dict, description="Points per principle id, -3..3."
    )
    mood: int = Field(0, ge=-100, le=100, description="Change of the customer's mood (negative calms).")
    feedback: Localized | None = Field(None, description="Why this choice is good or poor.")
    critical: Localized | None = Field(
        None,
        description=(
            "Set only when the move breaks a rule that protects the customer or the bank: the reason. "
            "A play with a critical mistake is not ready, whatever its score; it is not a principle's points."
        ),
    )
    next: StepId = Field(description="The id of the step that follows.")

    @property
    def total(self) -> int:
        return sum(self.scores.values())


class Step(_Strict):
    phase: Phase | None = Field(None, description="Required for a decision step.")
    situation: Localized | None = Field(None, description="What the teller sees.")
    customer: Localized | None = Field(None, description="What the customer says.")
    choices: list[Choice] = Field(default_factory=list)
    ending: Outcome | None = Field(None, description="Marks an ending: retained, at_risk or lost.")
    text: Localized | None = Field(None, description="An ending's closing text.")

    @model_validator(mode="after")
    def _ending_or_decision(self) -> "Step":
        if self.ending is not None:
            if self.choices:
                raise ValueError("an ending has no choices")
        else:
            if self.phase is None:
                raise ValueError("a step needs a phase (or an ending)")
            if self.text is not None:
                raise ValueError("only an ending has 'text'; use 'situation' or 'customer'")
        return self

    @property
    def is_ending(self) -> bool:
        return self.ending is not None

    def best_index(self) -> int | None:
        """The choice with the highest total points; the first one on a tie."""
        if not self.choices:
            return None
        return max(range(len(self.choices)), key=lambda i: (self.choices[i].total, -i))


class Scenario(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)] = Field(
        description="Stable id: lower case letters, digits and dashes."
    )
    title: Localized
    languages: list[Lang] = Field(min_length=1, description="Every text must exist in each.")
    difficulty: int = Field(1, ge=1, le=3, description="1 easy … 3 hard.")
    tags: list[Annotated[str, StringConstraints(max_length=40)]] = Field(default_factory=list)
    focus: list[PrincipleId] = Field(
        default_factory=list, description="Principles the scenario trains; derived when absent."
    )
    customer: Customer
    start: StepId = "start"
    steps: dict[StepId, Step] = Field(min_length=1)

    @property
    def is_complaint(self) -> bool:
        return self.customer.type == "agitated" or "complaint" in self.tags

    def focus_principles(self, limit: int = 3) -> list[str]:
        """The declared focus, or the principles with the most positive points."""
        if self.focus:
            return list(self.focus)
        weight: dict[str, int] = {}
        for step in self.steps.values():
            for choice in step.choices:
                for pid, pts in choice.scores.items():
                    if pts > 0:
                        weight[pid] = weight.get(pid, 0) + pts
        order = list(PRINCIPLES)
        ranked = sorted(weight, key=lambda p: (-weight[p], order.index(p)))
        return ranked[:limit]
