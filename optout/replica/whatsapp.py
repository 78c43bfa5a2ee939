"""WhatsApp's pages in the replica: the Help Center article, the "Contact WhatsApp" form,
its error pages, and which of them answers a request."""

from __future__ import annotations

from typing import Any

from optout.replica.messages import Reply
from optout.replica.pages import ENV, PageContext
from optout.replica.words import texts_for, wa_texts_for


def reply(variant: str, ctx: PageContext, kind: str, arg: str) -> Reply:
    """faq.whatsapp.com's objection article, the "Contact WhatsApp" form, /contact.

    `variant` is the scenario's WhatsApp state: available | no_link | gone | form_unavailable.
    """
    if kind == "wa_article":
        if variant == "gone":
            return Reply(404, gone_page(ctx))
        return Reply(200, article_page(ctx, contact_link=variant != "no_link"))
    if kind == "wa_form":
        if variant == "form_unavailable":
            return Reply(200, form_unavailable_page(ctx))
        return Reply(200, form_page(ctx, arg))
    return Reply(200, contact_page(ctx))


def _render(name: str, ctx: PageContext, title: str, **extra: Any) -> str:
    values: dict[str, Any] = {
        "lang": ctx.lang,
        "t": texts_for(ctx.lang),
        "w": wa_texts_for(ctx.lang),
        "dialog": ctx.dialog,
        "title": title,
    }
    values.update(extra)
    return ENV.get_template(name).render(values)


def article_page(ctx: PageContext, contact_link: bool) -> str:
    """faq.whatsapp.com/1285115568956956: « Comment puis-je m’opposer au traitement de mes
    informations ? », with or without its link to the "Contact WhatsApp" form."""
    w = wa_texts_for(ctx.lang)
    title = f"{w['article_title']} | WhatsApp {w['help_center']}"
    return _render("wa_article.html.j2", ctx, title, contact_link=contact_link)


def form_page(ctx: PageContext, form_id: str) -> str:
    """The "Contact WhatsApp" form: phone number, e-mail (twice), free text, "Send"."""
    w = wa_texts_for(ctx.lang)
    return _render("wa_form.html.j2", ctx, f"{w['form_title']} | WhatsApp", form_id=form_id)


def contact_page(ctx: PageContext) -> str:
    """www.whatsapp.com/contact: the general contact page, which is not a form."""
    w = wa_texts_for(ctx.lang)
    return _render(
        "wa_message.html.j2", ctx, "WhatsApp", heading=w["form_title"], body=w["contact_body"]
    )


def gone_page(ctx: PageContext) -> str:
    """WhatsApp's "This page isn't available" page (an article that was removed)."""
    w = wa_texts_for(ctx.lang)
    return _render(
        "wa_message.html.j2", ctx, "WhatsApp", heading=w["gone_title"], body=w["gone_body"]
    )


def form_unavailable_page(ctx: PageContext) -> str:
    """The contact form's address answers "This form is no longer available"."""
    w = wa_texts_for(ctx.lang)
    return _render(
        "wa_message.html.j2",
        ctx,
        "WhatsApp",
        heading=w["form_gone_title"],
        body=w["form_gone_body"],
    )


def transient_page(ctx: PageContext, wording: str) -> str:
    """Meta's transient error page, in WhatsApp's frame (see
    :func:`optout.replica.pages.transient_page`)."""
    t = texts_for(ctx.lang)
    key = "transient_a" if wording == "technical" else "transient_b"
    return _render(
        "wa_message.html.j2", ctx, "WhatsApp", heading=t[f"{key}_title"], body=t[f"{key}_body"]
    )
