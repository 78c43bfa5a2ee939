"""What a flow looks for on a page: locators (role + name, label, text, Meta's words...),
markers (a sign on the page or in its URL that means something), and the engine's own
markers that apply to every flow."""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from optout.flow import wording
from optout.flow.patterns import FINDERS, describe, tolerant

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
