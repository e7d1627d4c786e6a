"""The scenario format as pydantic models: the public contract trainers write against.

`coach schema` publishes the JSON Schema generated from these models.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from coach.business import BusinessLineId
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


#: The longest play the engine allows (coach.engine.session); the linter refuses a scenario whose
#: best path is longer, so what `validate` calls valid the engine can play to its end.
MAX_MOVES = 500


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


#: A marker phrase: a word or a few words, as a teller would say them at the counter.
Phrase = Annotated[CleanStr, StringConstraints(min_length=1, max_length=40)]
Phrases = Annotated[list[Phrase], Field(min_length=1, max_length=12)]


class Marker(_Strict):
    """One thing a reply in the teller's own words has (or must avoid), for "say it yourself".

    `good` phrases: a good reply contains one of them (acknowledging the feeling, naming the next
    step, a time to expect); `hurt` phrases: a reply containing one hurts ("规定就是这样"). Any phrase
    of the list counts as the marker, once. Advice beside the teller's self-rating, never a score.
    """

    principle: PrincipleId = Field(description="The principle this marker shows (or breaks).")
    good: dict[Lang, Phrases] | None = Field(None, description="Phrases a good reply contains, per language.")
    hurt: dict[Lang, Phrases] | None = Field(None, description="Phrases that hurt, per language.")

    @model_validator(mode="after")
    def _good_or_hurt(self) -> "Marker":
        if (self.good is None) == (self.hurt is None):
            raise ValueError("a marker has either 'good' or 'hurt' phrases (one of them)")
        return self

    @property
    def kind(self) -> Literal["good", "hurt"]:
        return "good" if self.good is not None else "hurt"

    @property
    def phrases(self) -> dict[str, list[str]]:
        return dict(self.good if self.good is not None else self.hurt or {})


class Step(_Strict):
    phase: Phase | None = Field(None, description="Required for a decision step.")
    situation: Localized | None = Field(None, description="What the teller sees.")
    customer: Localized | None = Field(None, description="What the customer says.")
    choices: list[Choice] = Field(default_factory=list)
    ending: Outcome | None = Field(None, description="Marks an ending: retained, at_risk or lost.")
    text: Localized | None = Field(None, description="An ending's closing text.")
    markers: list[Marker] = Field(
        default_factory=list, max_length=20,
        description="For 'say it yourself': phrases a good reply has, or that hurt, per principle and language.",
    )

    @model_validator(mode="after")
    def _ending_or_decision(self) -> "Step":
        if self.ending is not None:
            if self.choices:
                raise ValueError("an ending has no choices")
            if self.markers:
                raise ValueError("an ending has no markers (they belong to a decision)")
        else:
            if self.phase is None:
                raise ValueError("a step needs a phase (or an ending)")
            if self.text is not None:
                raise ValueError("only an ending has 'text'; use 'situation' or 'customer'")
        return self

    @property
    def is_ending(self) -> bool:
        return self.ending is not None

    def fingerprint(self) -> str:
        """What the teller sees and is scored on at this step (markers aside, being advice): a
        review item of a step whose fingerprint changed is retired."""
        import hashlib

        data = self.model_dump_json(exclude={"markers"})
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]

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
    line: BusinessLineId | None = Field(
        None, description="The business line the scenario is about; the library filters by it."
    )
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
