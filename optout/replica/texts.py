"""Short user-interface strings of the replica pages, in English and French (the other
languages' pages are built from these and the wording catalogue: `optout.replica.words`).

Long prose (privacy policy, generative-AI page, help article) lives in per-language
templates; this module only holds the short strings shared by several templates.
French strings use the typographic apostrophe ’ as Meta does.
"""

from __future__ import annotations

from typing import Final

Texts = dict[str, str]

EN: Final[Texts] = {
    # chrome
    "site_title": "Facebook",
    "help_center": "Help Center",
    "ig_help_center": "Instagram Help Center",
    "privacy_center": "Privacy Center",
    "policy_title": "Meta Privacy Policy",
    "object_link": "right to object",
    "object_verb": "object",
    "ai_at_meta": "AI at Meta",
    "nav_privacy": "Privacy Policy",
    "nav_help": "Help",
    "nav_login": "Log in",
    "footer_copy": "Meta © 2024",
    "footer_links": "About · Privacy · Terms · Cookies · Ad choices",
    "loading": "Loading...",
    # objection form
    "form_title": "Object to Your Information Being Used for AI at Meta",
    "form_intro": (
        "Meta uses information people have shared on Meta Products and services to develop "
        "and improve AI at Meta. You have the right to object to your information being used "
        "for these purposes."
    ),
    "form_intro_ig": (
        "Meta uses information people have shared on Instagram to develop and improve AI at "
        "Meta. You have the right to object to your information being used for these purposes."
    ),
    "form_note": (
        "If your objection is honoured, it will be applied going forward. We may need "
        "more information to process your request."
    ),
    "country_label": "Country of residence",
    "country_placeholder": "Select a country",
    "email_label": "Email address",
    "impact_label": "Please tell us how this processing impacts you",
    "send": "Send",
    # unavailable / not found / errors
    "unavailable_title": "This content isn't available right now",
    "unavailable_body": (
        "When this happens, it's usually because the owner only shared it with a small group "
        "of people, changed who can see it or it's been deleted."
    ),
    "go_news_feed": "Go to News Feed",
    "go_back": "Go back",
    "visit_help": "Visit Help Center",
    "not_found_title": "This page isn't available",
    "not_found_body": ("The link you followed may be broken, or the page may have been removed."),
    "error_title": "Sorry, something went wrong.",
    "error_body": "We're working on getting this fixed as soon as we can.",
    # transient error pages (2026): an "isn't available" heading, then a sentence that says it
    # failed and to try again. Wording A from meta.com, wording B from Meta's developer site.
    "transient_a_title": "This page isn't available at the moment",
    "transient_a_body": (
        "This may be because of a technical error that we're working to fix. Please try "
        "reloading this page."
    ),
    "transient_b_title": "This page isn’t available",
    "transient_b_body": (
        "An unexpected error has occurred. Try reloading the page or come back later."
    ),
    "reload": "Reload page",
    # rate limit (HTTP 200, role=main, a login form in the top bar)
    "rate_title": "This feature is temporarily blocked",
    "rate_body": (
        "It looks like you were misusing this feature by going too fast. You’ve been "
        "temporarily blocked from using it."
    ),
    "rate_back": "Back",
    # login wall served in place at the requested URL (HTTP 200, no redirect)
    "wall_title": "Log in to Facebook",
    "wall_title_ig": "Log into Instagram",
    # Meta's 2026 cookie dialog (div[role=dialog], div[role=button], no data-cookiebanner)
    "cookie2026_title": "Allow the use of cookies from Meta on this browser?",
    # login wall
    "login_title": "Log into Facebook",
    "login_notice": "You must log in to continue.",
    "login_email_ph": "Email address or phone number",
    "login_pass_ph": "Password",
    "login_button": "Log in",
    "login_forgot": "Forgotten account?",
    "login_create": "Create new account",
    # checkpoint
    "checkpoint_title": "Security check",
    "checkpoint_heading": "Confirm you're human",
    "checkpoint_body": (
        "We noticed unusual activity from your browser. To help keep Facebook secure, "
        "please complete this check before you continue."
    ),
    "checkpoint_button": "Continue",
    # cookie dialog
    "cookie_title": "Allow the use of cookies from Facebook on this browser?",
    "cookie_p1": (
        "We use cookies and similar technologies to help provide and improve content on Meta "
        "Products. We also use them to provide a safer experience by using information we "
        "receive from cookies on and off Facebook, and to provide and improve Meta Products "
        "for people who have an account."
    ),
    "cookie_p2": (
        "Essential cookies: these cookies are required to use Meta Products and are necessary "
        "for our sites to work as intended."
    ),
    "cookie_p3": (
        "Cookies from other companies: we use these cookies to show you ads off of Meta "
        "Products and to provide features like maps and videos on Meta Products. You can "
        "review or change your choices at any time in your cookie settings."
    ),
    "cookie_policy_link": "Cookies Policy",
    "cookie_decline": "Decline optional cookies",
    "cookie_accept": "Allow all cookies",
    # home / help article
    "home_heading": "Facebook helps you connect and share with the people in your life.",
    "home_links": "Useful links",
    "article_title": "How to manage your information",
    # logged-out top bar with a login form (not a login wall)
    "topbar_email": "Email or phone",
    "topbar_pass": "Password",
    "topbar_login": "Log in",
    "topbar_forgot": "Forgotten account?",
    # notifications
    "notifications_title": "Notifications",
    "profile_label": "Your profile",
    "notifications_new": "New",
    "notifications_earlier": "Earlier",
    "notif_ai": (
        "We're planning new AI features for you. Learn how we'll use your information as we "
        "improve AI at Meta."
    ),
    "notif_page_title": "We're getting ready to expand AI at Meta experiences to your region",
    # 2024 pre-form
    "preform_title": "Is your request about AI at Meta?",
    "needs_login": (
        "You may need to be logged into your account to see the appropriate forms for your region."
    ),
    "preform_yes": "Yes",
    "preform_no": "No",
    "preform_next": "Next",
    # generic GDPR objection form
    "generic_form_title": "Object to processing of your information",
    "generic_form_intro": (
        "Where we process your information on the basis of legitimate interests or a task "
        "carried out in the public interest, you can object to that processing. Tell us how "
        "to contact you about your request."
    ),
    # help.meta.com
    "meta_help_center": "Meta Help Center",
    "meta_help_privacy": "Privacy",
}

FR: Final[Texts] = {
    "site_title": "Facebook",
    "help_center": "Pages d’aide",
    "ig_help_center": "Pages d’aide Instagram",
    "privacy_center": "Espace confidentialité",
    "policy_title": "Politique de confidentialité de Meta",
    "object_link": "droit d’opposition",
    "object_verb": "vous opposer",
    "ai_at_meta": "L’IA chez Meta",
    "nav_privacy": "Politique de confidentialité",
    "nav_help": "Aide",
    "nav_login": "Se connecter",
    "footer_copy": "Meta © 2024",
    "footer_links": "À propos · Confidentialité · Conditions · Cookies · Choisir sa pub",
    "loading": "Chargement...",
    "form_title": "Vous opposer à l’utilisation de vos informations pour l’IA chez Meta",
    "form_intro": (
        "Meta utilise les informations que les personnes ont partagées sur les Produits et "
        "services Meta pour développer et améliorer l’IA chez Meta. Vous avez le droit de "
        "vous opposer à l’utilisation de vos informations à ces fins."
    ),
    "form_intro_ig": (
        "Meta utilise les informations que les personnes ont partagées sur Instagram pour "
        "développer et améliorer l’IA chez Meta. Vous avez le droit de vous opposer à "
        "l’utilisation de vos informations à ces fins."
    ),
    "form_note": (
        "Si votre opposition est acceptée, elle sera appliquée dorénavant. Nous pourrions "
        "avoir besoin d’informations supplémentaires pour traiter votre demande."
    ),
    "country_label": "Pays de résidence",
    "country_placeholder": "Sélectionner un pays",
    "email_label": "Adresse e-mail",
    "impact_label": "Veuillez nous indiquer comment ce traitement vous affecte",
    "send": "Envoyer",
    "unavailable_title": "Ce contenu n’est pas disponible pour le moment",
    "unavailable_body": (
        "Lorsque cela se produit, c’est généralement parce que le propriétaire l’a partagé "
        "avec un petit groupe de personnes, a modifié les personnes autorisées à le voir, ou "
        "qu’il a été supprimé."
    ),
    "go_news_feed": "Accéder au fil d’actualité",
    "go_back": "Retour",
    "visit_help": "Consulter les Pages d’aide",
    "not_found_title": "Cette page n’est pas disponible",
    "not_found_body": (
        "Le lien que vous avez suivi est peut-être rompu, ou la page a peut-être été supprimée."
    ),
    "error_title": "Désolé, une erreur s’est produite.",
    "error_body": "Nous travaillons à la résolution de ce problème aussi rapidement que possible.",
    "transient_a_title": "Cette page n’est pas disponible pour le moment",
    "transient_a_body": (
        "Cela peut être dû à une erreur technique que nous nous efforçons de corriger. "
        "Veuillez essayer d’actualiser cette page."
    ),
    "transient_b_title": "Cette page n'est pas disponible",
    "transient_b_body": (
        "Une erreur s'est produite. Essayez d'actualiser la page ou revenez plus tard."
    ),
    "reload": "Actualiser la page",
    "rate_title": "Cette fonction est temporairement bloquée",
    "rate_body": (
        "Il semble que vous ayez abusé de cette fonctionnalité en l’utilisant trop vite. "
        "Vous n’êtes plus autorisé à l’utiliser."
    ),
    "rate_back": "Retour",
    "wall_title": "Se connecter à Facebook",
    "wall_title_ig": "Se connecter à Instagram",
    "cookie2026_title": "Autoriser l’utilisation des cookies de Meta sur ce navigateur\u00a0?",
    "login_title": "Connectez-vous à Facebook",
    "login_notice": "Vous devez vous connecter pour continuer.",
    "login_email_ph": "Adresse e-mail ou numéro de tél.",
    "login_pass_ph": "Mot de passe",
    "login_button": "Se connecter",
    "login_forgot": "Mot de passe oublié ?",
    "login_create": "Créer nouveau compte",
    "checkpoint_title": "Contrôle de sécurité",
    "checkpoint_heading": "Confirmez que vous êtes un humain",
    "checkpoint_body": (
        "Nous avons remarqué une activité inhabituelle provenant de votre navigateur. Pour "
        "contribuer à la sécurité de Facebook, veuillez effectuer ce contrôle avant de "
        "continuer."
    ),
    "checkpoint_button": "Continuer",
    "cookie_title": "Autoriser l’utilisation des cookies de Facebook sur ce navigateur ?",
    "cookie_p1": (
        "Nous utilisons les cookies et des technologies similaires pour fournir et améliorer "
        "le contenu sur les Produits Meta, offrir une expérience plus sûre grâce aux "
        "informations que nous recevons via les cookies sur et en dehors de Facebook, et "
        "fournir et améliorer les Produits Meta pour toute personne possédant un compte."
    ),
    "cookie_p2": (
        "Cookies essentiels : ces cookies sont nécessaires pour utiliser les Produits Meta et "
        "pour que nos sites fonctionnent comme prévu."
    ),
    "cookie_p3": (
        "Cookies d’autres entreprises : nous utilisons ces cookies pour vous montrer des "
        "publicités en dehors des Produits Meta et pour fournir des fonctionnalités telles "
        "que des cartes et des vidéos. Vous pouvez passer en revue ou modifier vos choix à "
        "tout moment dans vos paramètres de cookies."
    ),
    "cookie_policy_link": "Politique d’utilisation des cookies",
    "cookie_decline": "Refuser les cookies optionnels",
    "cookie_accept": "Autoriser tous les cookies",
    "home_heading": "Avec Facebook, partagez et restez en contact avec votre entourage.",
    "home_links": "Liens utiles",
    "article_title": "Gérer vos informations",
    "topbar_email": "Adresse e-mail ou téléphone",
    "topbar_pass": "Mot de passe",
    "topbar_login": "Se connecter",
    "topbar_forgot": "Informations de compte oubliées ?",
    "notifications_title": "Notifications",
    "profile_label": "Votre profil",
    "notifications_new": "Nouveau",
    "notifications_earlier": "Plus tôt",
    "notif_ai": (
        "Nous planifions de nouvelles fonctionnalités d’IA pour vous. Découvrez comment nous "
        "utiliserons vos informations à mesure que nous améliorons l’IA chez Meta."
    ),
    "notif_page_title": (
        "Nous nous apprêtons à étendre nos expériences de l’IA de Meta dans votre région"
    ),
    "preform_title": "Votre demande concerne-t-elle l’IA chez Meta ?",
    "preform_yes": "Oui",
    "preform_no": "Non",
    "preform_next": "Suivant",
    "generic_form_title": "Vous opposer au traitement de vos informations",
    "generic_form_intro": (
        "Lorsque nous traitons vos informations sur la base d’intérêts légitimes ou d’une "
        "mission d’intérêt public, vous pouvez vous opposer à ce traitement. Indiquez-nous "
        "comment vous contacter au sujet de votre demande."
    ),
    "meta_help_center": "Pages d’aide Meta",
    "meta_help_privacy": "Confidentialité",
}

# WhatsApp: its Help Center article about objecting, the "Contact WhatsApp" form it links,
# WhatsApp's own cookie banner (modelled: no capture of it is known) and its error pages.
WA_EN: Final[Texts] = {
    "help_center": "Help Center",
    "article_title": "How can I object to the processing of my information?",
    "article_p1": (
        "You have the right to object to the processing of your information where we rely on "
        "legitimate interests, or on a task carried out in the public interest, as the legal "
        "basis for that processing."
    ),
    "article_p2_link": "To exercise this right, {link}. Tell us which processing you object to "
    "and why.",
    "article_link": "contact us",
    "article_p2_nolink": (
        "To exercise this right, use the privacy settings of the WhatsApp app, where available."
    ),
    "article_p3": "Learn more about how we process your information in our {link}.",
    "privacy_policy": "Privacy Policy",
    "helpful": "Was this helpful?",
    "footer_contact": "Contact",
    "footer_privacy": "Privacy",
    "footer_terms": "Terms",
    "form_title": "Contact WhatsApp",
    "contact_body": "To contact us, choose a topic in the Help Center first.",
    "form_intro": "Please describe your request in as much detail as you can.",
    "phone_label": "Phone number",
    "email_label": "Email address",
    "email_confirm_label": "Confirm email address",
    "message_label": "How can we help?",
    "send": "Send",
    "gone_title": "This page isn't available",
    "gone_body": "The link you followed may be broken, or the page may have been removed.",
    "form_gone_title": "This form is no longer available",
    "form_gone_body": "Go back to the Help Center to find another way to contact us.",
    "cookie_title": "Cookies on WhatsApp",
    "cookie_body": (
        "We use cookies to understand, secure, operate and provide our services. You can "
        "accept all cookies or reject the optional ones."
    ),
    "cookie_reject": "Reject optional cookies",
    "cookie_accept": "Accept all cookies",
}

WA_FR: Final[Texts] = {
    "help_center": "Pages d’aide",
    "article_title": "Comment puis-je m’opposer au traitement de mes informations\u00a0?",
    "article_p1": (
        "Vous avez le droit de vous opposer au traitement de vos informations lorsque nous "
        "nous appuyons sur nos intérêts légitimes, ou sur une mission d’intérêt public, comme "
        "base légale de ce traitement."
    ),
    "article_p2_link": "Pour exercer ce droit, veuillez {link}. Indiquez-nous le traitement "
    "auquel vous vous opposez et pourquoi.",
    "article_link": "nous contacter",
    "article_p2_nolink": (
        "Pour exercer ce droit, utilisez les paramètres de confidentialité de l’application "
        "WhatsApp, lorsqu’ils sont disponibles."
    ),
    "article_p3": "En savoir plus sur la façon dont nous traitons vos informations dans notre "
    "{link}.",
    "privacy_policy": "Politique de confidentialité",
    "helpful": "Cet article vous a-t-il été utile\u00a0?",
    "footer_contact": "Contact",
    "footer_privacy": "Confidentialité",
    "footer_terms": "Conditions",
    "form_title": "Contacter WhatsApp",
    "contact_body": "Pour nous contacter, choisissez d’abord un sujet dans les Pages d’aide.",
    "form_intro": "Veuillez décrire votre demande de la manière la plus détaillée possible.",
    "phone_label": "Numéro de téléphone",
    "email_label": "Adresse e-mail",
    "email_confirm_label": "Confirmez l’adresse e-mail",
    "message_label": "Comment pouvons-nous vous aider\u00a0?",
    "send": "Envoyer",
    "gone_title": "Cette page n’est pas disponible",
    "gone_body": (
        "Le lien que vous avez suivi est peut-être rompu, ou la page a peut-être été supprimée."
    ),
    "form_gone_title": "Ce formulaire n’est plus disponible",
    "form_gone_body": "Revenez aux Pages d’aide pour trouver un autre moyen de nous contacter.",
    "cookie_title": "Les cookies sur WhatsApp",
    "cookie_body": (
        "Nous utilisons des cookies pour comprendre, sécuriser, exploiter et fournir nos "
        "services. Vous pouvez accepter tous les cookies ou refuser les cookies facultatifs."
    ),
    "cookie_reject": "Refuser les cookies facultatifs",
    "cookie_accept": "Accepter tous les cookies",
}

COUNTRIES: Final[dict[str, list[tuple[str, str]]]] = {
    "en": [
        ("AT", "Austria"),
        ("BE", "Belgium"),
        ("DE", "Germany"),
        ("ES", "Spain"),
        ("FR", "France"),
        ("IE", "Ireland"),
        ("IT", "Italy"),
        ("LU", "Luxembourg"),
        ("NL", "Netherlands"),
        ("PL", "Poland"),
        ("PT", "Portugal"),
        ("SE", "Sweden"),
    ],
    "fr": [
        ("DE", "Allemagne"),
        ("AT", "Autriche"),
        ("BE", "Belgique"),
        ("ES", "Espagne"),
        ("FR", "France"),
        ("IE", "Irlande"),
        ("IT", "Italie"),
        ("LU", "Luxembourg"),
        ("NL", "Pays-Bas"),
        ("PL", "Pologne"),
        ("PT", "Portugal"),
        ("SE", "Suède"),
    ],
}
