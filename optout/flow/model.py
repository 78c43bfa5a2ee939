"""The flow format: pydantic models, YAML loading with line numbers, fragments.

A flow is declarative: where to start, which steps to take, how to recognise
the form (`target.present`), its absence (`target.missing_when`, `absent:`)
and a wall (`blocked_when`). Shorthands are expanded before validation, and
every validation problem is reported as `file:line: where: what`.
"""

from __future__ import annotations

import functools
import re
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar, Union, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from optout.flow import wording
from optout.flow.patterns import FINDERS, describe, tolerant
from optout.flow.verdicts import Verdict

M = TypeVar("M", bound=BaseModel)

ROLES = frozenset(
    """
    alert alertdialog application article banner blockquote button caption cell checkbox code
    columnheader combobox complementary contentinfo definition deletion dialog directory
    document emphasis feed figure form generic grid gridcell group heading img insertion link
    list listbox listitem log main marquee math meter menu menubar menuitem menuitemcheckbox
    menuitemradio navigation none note option paragraph presentation progressbar radio
    radiogroup region row rowgroup rowheader scrollbar search searchbox separator slider
    spinbutton status strong subscript superscript switch tab table tablist tabpanel term
    textbox time timer toolbar tooltip tree treegrid treeitem
    """.split()
)
LOCALE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2}|-[A-Z][a-z]{3})?$")


class Strict(BaseModel):
    """Base for every flow model: unknown keys are errors, never ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_pattern(value: str | None) -> str | None:
    """Fail on a text pattern that is not a valid regular expression."""
    if value is not None:
        try:
            re.compile(value)
            re.compile(tolerant(value))
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
        except RecursionError:
            raise ValueError("invalid regular expression: groups nested too deeply") from None
    return value


def check_http_url(value: str) -> str:
    """Only absolute http and https URLs may be opened."""
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return value


class Locator(Strict):
    """One way to find an element, as a person would: role + name, label, text..."""

    exact: bool = Field(False, description="match the string exactly instead of as a pattern")
    role: str | None = None
    name: str | None = Field(None, description="accessible name pattern (with role)")
    label: str | None = None
    text: str | None = None
    placeholder: str | None = None
    alt: str | None = None
    title: str | None = None
    testid: str | None = None
    css: str | None = Field(None, description="last resort")
    href: str | None = Field(None, description="pattern the element's href must match")
    words: str | None = Field(
        None,
        description="a key of Meta's wording (`optout list --locales`): the name of `role`, or "
        "the text, in the page's language",
    )
    enabled: bool | None = Field(
        None, description="with `role`: only enabled (true) or disabled (false) elements"
    )

    _check_href = field_validator("href")(check_pattern)

    @field_validator("words")
    @classmethod
    def _known_words(cls, value: str | None) -> str | None:
        if value is not None and value not in wording.KEYS:
            raise ValueError(f"no words {value!r} (known: {', '.join(wording.KEYS)})")
        return value

    @field_validator("role")
    @classmethod
    def _known_role(cls, value: str | None) -> str | None:
        if value is not None and value not in ROLES:
            near = sorted(r for r in ROLES if r[:2] == value[:2]) or ["button", "link", "textbox"]
            raise ValueError(f"unknown ARIA role {value!r} (did you mean: {', '.join(near)}?)")
        return value

    @field_validator("name", "label", "text", "placeholder", "alt", "title")
    @classmethod
    def _patterns(cls, value: str | None, info: ValidationInfo) -> str | None:
        return value if info.data.get("exact") else check_pattern(value)

    @model_validator(mode="after")
    def _one_finder(self) -> Locator:
        if self.name is not None and self.role is None:
            raise ValueError("'name' goes with 'role' (use 'text' or 'label' otherwise)")
        if self.words is not None and self.name is not None:
            raise ValueError("'words' gives the role's name: use 'words' or 'name', not both")
        if self.enabled is not None and self.role is None:
            raise ValueError("'enabled' goes with 'role'")
        used = [f for f in FINDERS if getattr(self, f) is not None]
        if self.words is not None and self.role is not None:
            used.remove("words")
        if len(used) != 1 and not self._allow_none(used):
            if used:
                raise ValueError(f"a locator uses exactly one of {', '.join(FINDERS)}; got {used}")
            raise ValueError(f"a locator needs one of: {', '.join(FINDERS)}")
        return self

    def _allow_none(self, used: list[str]) -> bool:
        return False

    def spec(self) -> dict[str, Any]:
        """The locator as a plain dict for `optout.check.locate` (shared: do not change it)."""
        return _spec(self)

    def describe(self) -> str:
        return describe(self.spec())


@functools.lru_cache(maxsize=4096)
def _spec(locator: Locator) -> dict[str, Any]:
    """Locators are frozen, so their dict is made once, not at every poll of the page."""
    return locator.model_dump(exclude_none=True)


class Marker(Locator):
    """A sign on the page (or in its URL) that means something: a wall, an absence."""

    url: str | None = Field(None, description="pattern matched against the page URL")
    reason: str | None = Field(None, description="what the marker means, for the verdict reason")
    logged_out: bool = Field(
        False,
        description="in `blocked_when`: the marker means the browser is not logged in (a "
        "login wall, a checkpoint); under a saved login, the session expired",
    )

    _check_url = field_validator("url")(check_pattern)

    def _allow_none(self, used: list[str]) -> bool:
        return not used and self.url is not None

    @model_validator(mode="after")
    def _url_alone(self) -> Marker:
        if self.url is not None and any(getattr(self, f) is not None for f in FINDERS):
            raise ValueError("a marker is either a url pattern or a locator, not both")
        return self

    def describe(self) -> str:
        if self.reason:
            return self.reason
        return f'URL matching "{self.url}"' if self.url is not None else describe(self.spec())


def _expand_alternatives(value: Any) -> Any:
    """`"Send"` → `[{text: Send}]`; `{any: [...]}` → `[...]`; `{role: ...}` → `[{role: ...}]`."""
    if isinstance(value, str):
        return [{"text": value}]
    if isinstance(value, dict) and set(value) == {"any"}:
        return value["any"]
    if isinstance(value, dict):
        return [value]
    return value


Alternatives = Annotated[
    list[Locator],
    BeforeValidator(_expand_alternatives, json_schema_input_type=str | dict[str, Any] | list[Any]),
    Field(min_length=1),
]
MarkerList = Annotated[
    list[Marker],
    BeforeValidator(
        lambda v: (
            [{"text": m} if isinstance(m, str) else m for m in v] if isinstance(v, list) else v
        ),
        json_schema_input_type=list[str | dict[str, Any]],
    ),
]


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


# The engine's own markers, applied to every flow after the flow's own: Meta's failure words
# in every language of the catalogue (such a page is `unreachable`, never `missing`, even when
# it also shows an "unavailable" heading), and the addresses of login walls and checkpoints
# on any host, whatever the page's language.
BUILTIN_TRANSIENT: tuple[Marker, ...] = (
    Marker.model_validate({"words": "error", "reason": "the page reports a failure"}),
)
BUILTIN_BLOCKED: tuple[Marker, ...] = (
    Marker.model_validate(
        {
            "url": "^https?://[^/?#]+/(login(/|\\.php|\\?|$)|checkpoint/|accounts/login)",
            "reason": "login wall or checkpoint (URL)",
            "logged_out": True,
        }
    ),
    Marker.model_validate({"words": "wall", "reason": "login wall", "logged_out": True}),
    Marker.model_validate({"words": "rate_limit", "reason": "rate-limited"}),
    Marker.model_validate({"words": "checkpoint", "reason": "checkpoint or captcha"}),
)
