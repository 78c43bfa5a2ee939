"""The flow format: pydantic models, YAML loading with line numbers, fragments.

A flow is declarative: where to start, which steps to take, how to recognise
the form (`target.present`), its absence (`target.missing_when`, `absent:`)
and a wall (`blocked_when`). Shorthands are expanded before validation, and
every validation problem is reported as `file:line: where: what`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar, Union, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from optout.flow import wording
from optout.flow.locators import (
    Alternatives,
    Locator,
    Marker,
    MarkerList,
    Strict,
    check_pattern,
)
from optout.flow.verdicts import Verdict

M = TypeVar("M", bound=BaseModel)

LOCALE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2}|-[A-Z][a-z]{3})?$")


def check_http_url(value: str) -> str:
    """Only absolute http and https URLs may be opened."""
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return value


class Absent(StrEnum):
    """What it means when a step finds nothing."""

    MISSING = "missing"
    """conclusive: the link or form is gone (only on a page that loaded)"""
    BROKEN = "broken"
    """the page did not match the flow (default)"""
    SKIP = "skip"
    """nothing: go on with the next step"""


class StepBase(Strict):
    ACTION: ClassVar[str]
    """The key that names the step's action in a flow file (`click:`, `see:`...)."""
    label: str | None = Field(None, description="describes the step in logs and evidence")
    timeout: float | None = Field(None, gt=0, description="seconds to wait for this step")
    when: Marker | None = Field(
        None, description="run the step only if this marker shows now (no waiting); else skip it"
    )


class OpenStep(StepBase):
    ACTION: ClassVar[str] = "open"
    open: str

    _url = field_validator("open")(check_http_url)

    def describe(self) -> str:
        return self.label or f"open {self.open}"


class FindStep(StepBase):
    absent: Absent = Absent.BROKEN
    on_page: Alternatives | None = Field(
        None,
        description="proof that the flow is on the page the step is about: with `absent: "
        "missing`, an absence only counts when one of these is shown (else broken)",
    )
    instead: MarkerList = Field(
        default_factory=list,
        description="when nothing is found: what the page may show in its place, named in the "
        "reason (e.g. a link to another form)",
    )


class ClickStep(FindStep):
    ACTION: ClassVar[str] = "click"
    click: Alternatives

    def describe(self) -> str:
        return self.label or f"click {' or '.join(loc.describe() for loc in self.click)}"


class SeeStep(FindStep):
    ACTION: ClassVar[str] = "see"
    see: Alternatives

    def describe(self) -> str:
        return self.label or f"see {' or '.join(loc.describe() for loc in self.see)}"


class WaitStep(StepBase):
    ACTION: ClassVar[str] = "wait"
    wait: Marker
    absent: Absent = Absent.BROKEN

    def describe(self) -> str:
        return self.label or f"wait for {self.wait.describe()}"


class Dismiss(Strict):
    dialog: Alternatives
    buttons: Alternatives = Field(description="in order of preference")
    appear_timeout: float = Field(3.0, ge=0, description="seconds to wait for the dialog to show")
    reason: str = "cookie dialog"


class DismissStep(StepBase):
    ACTION: ClassVar[str] = "dismiss"
    dismiss: Dismiss

    def describe(self) -> str:
        return self.label or f"dismiss the {self.dismiss.reason} if shown"


class UseStep(Strict):
    ACTION: ClassVar[str] = "use"
    use: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="a fragment in fragments/")
    when: Marker | None = Field(
        None, description="given to every step of the fragment that has no `when` of its own"
    )


RunnableStep = OpenStep | ClickStep | SeeStep | WaitStep | DismissStep
"""The one list of step types the runner executes (`use` is resolved when loading)."""
STEP_MODELS: tuple[type[StepBase | UseStep], ...] = (*get_args(RunnableStep), UseStep)
STEP_ACTIONS: tuple[str, ...] = tuple(m.ACTION for m in STEP_MODELS)


def _step_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return next((a for a in STEP_ACTIONS if hasattr(value, a)), None)
    if isinstance(value, dict):
        kinds = [a for a in STEP_ACTIONS if a in value]
        return kinds[0] if len(kinds) == 1 else None
    return None


if TYPE_CHECKING:
    Step = RunnableStep | UseStep
else:
    Step = Annotated[
        Union[tuple(Annotated[m, Tag(m.ACTION)] for m in STEP_MODELS)],  # noqa: UP007
        Discriminator(
            _step_kind,
            custom_error_type="step_action",
            custom_error_message=f"a step needs exactly one action: {', '.join(STEP_ACTIONS)}",
        ),
    ]


FormPart = Literal["email", "phone", "free_text", "submit"]


class Target(Strict):
    """The objection form: where it lives and how to recognise it (or its absence)."""

    url: str | None = Field(None, description="pattern the final URL must match")
    form: list[FormPart] | None = Field(
        None,
        min_length=1,
        description="the form's structure, in any language: these parts inside one <form> "
        "that has no password field (email, phone, free_text, submit)",
    )
    present: list[Alternatives] = Field(
        default_factory=list,
        description="all visible → available; a requirement whose words the catalogue does "
        "not have in the page's language is passed over, and the reason says so",
    )
    missing_when: MarkerList = Field(default_factory=list, description="any visible → missing")

    _check_url = field_validator("url")(check_pattern)

    @model_validator(mode="after")
    def _something_to_find(self) -> Target:
        if not self.present and not self.form:
            raise ValueError("a target needs 'present' or 'form' (or both)")
        return self


class Flow(Strict):
    """One path from where Meta points people to the objection form."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str
    service: str = "facebook"
    description: str | None = None
    locales: Annotated[
        list[str],
        BeforeValidator(
            lambda v: wording.locales() if v == "all" else v,
            json_schema_input_type=list[str] | Literal["all"],
        ),
    ] = Field(
        default_factory=lambda: ["en-GB"],
        min_length=1,
        description="one result per locale; `all`: one locale per language of the wording "
        "catalogue (`optout list --locales`)",
    )
    start: str
    region: Literal["eu"] | None = Field(
        None,
        description="the regional version of Meta's pages the flow is about: `missing` then "
        "needs a page of that version (the privacy policy naming Meta Platforms Ireland "
        "Limited), and another region's version is `blocked`",
    )
    expect: Literal["available", "missing"] | None = Field(
        None, description="the conclusive verdict this flow should give; a different one exits 1"
    )
    session: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
        description="a saved login: `optout login NAME`, or --session NAME=PATH",
    )
    timeout: float | None = Field(None, gt=0, description="default seconds for every wait")
    blocked_when: MarkerList = Field(default_factory=list)
    transient_when: MarkerList = Field(
        default_factory=list,
        description="any visible when the flow would fail or find the form missing → unreachable",
    )
    mask: list[Locator] = Field(
        default_factory=list,
        description="personal data to hide in every screenshot, DOM and accessibility snapshot "
        "(profile name and picture, account menu, pre-filled fields)",
    )
    steps: list[Step] = Field(default_factory=list)
    target: Target

    _start = field_validator("start")(check_http_url)

    @field_validator("locales")
    @classmethod
    def _locales(cls, value: list[str]) -> list[str]:
        for loc in value:
            if not LOCALE_RE.fullmatch(loc):
                raise ValueError(f"{loc!r} is not a locale like fr-FR or en-GB")
        if len(set(value)) != len(value):
            raise ValueError("a locale is listed twice")
        return value

    @property
    def expected(self) -> Verdict | None:
        return Verdict(self.expect) if self.expect else None

    def runnable_steps(self) -> list[RunnableStep]:
        """The steps once fragments are resolved (see `load_flow`)."""
        return [s for s in self.steps if not isinstance(s, UseStep)]


class Fragment(Strict):
    """Reusable steps (and walls), spliced into a flow by `- use: NAME`."""

    description: str | None = None
    blocked_when: MarkerList = Field(default_factory=list)
    transient_when: MarkerList = Field(default_factory=list)
    mask: list[Locator] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> Fragment:
        if not (self.steps or self.blocked_when or self.transient_when or self.mask):
            raise ValueError("a fragment needs steps, blocked_when, transient_when or mask")
        return self


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a flow file, for editors."""
    schema = Flow.model_json_schema()
    schema["required"] = [k for k in schema.get("required", []) if k != "id"]  # file name
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "optout flow"
    return schema
