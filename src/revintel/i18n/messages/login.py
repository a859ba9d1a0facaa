"""Texts of the sign-in page."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "login.title": ("Anmelden", "Sign in"),
    "login.username": ("Benutzername", "Username"),
    "login.password": ("Passwort", "Password"),
    "login.submit": ("Anmelden", "Sign in"),
    "login.failed": ("Benutzername oder Passwort ist falsch.", "Wrong username or password."),
    "login.throttled": (
        "Zu viele fehlgeschlagene Anmeldungen. Bitte erneut versuchen in",
        "Too many failed sign-ins. Try again in",
    ),
    "login.minutes": ("Minuten", "minutes"),
}
