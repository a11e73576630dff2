"""Account forms. Every message is translatable; CSRF comes with FlaskForm."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional

from markupsafe import Markup, escape
from wtforms.widgets import html_params

from lms.extensions import db
from lms.models import Place, PlaceKind
from lms.models.people import GROUP_LABELS


def group_choices() -> list[tuple[str, str]]:
    return [("", _l("— Choose your group —"))] + [(g.value, label) for g, label in GROUP_LABELS.items()]


def village_choices() -> list:
    """Villages grouped under their commune, for a <select> with <optgroup>s."""
    communes = db.session.scalars(
        select(Place).where(Place.kind == PlaceKind.COMMUNE).order_by(Place.name)).all()
    villages = db.session.scalars(
        select(Place).where(Place.kind == PlaceKind.VILLAGE).order_by(Place.parent_id, Place.name)).all()
    by_commune: dict[int | None, list] = {}
    for v in villages:
        by_commune.setdefault(v.parent_id, []).append((str(v.id), v.name))
    choices: list = [("", _l("— Choose your village —"))]
    for commune in communes:
        if commune.id in by_commune:
            label = commune.name + (f" ({commune.parent.name})" if commune.parent else "")
            choices.append((label, by_commune[commune.id]))
    return choices


class GroupedSelect:
    """A <select> whose choices may hold (group label, [(value, label), …]) for <optgroup>s,
    beside plain (value, label) options such as the "— choose —" prompt."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if field.flags.required:
            kwargs.setdefault("required", True)
        current = "" if field.data is None else str(field.data)

        def option(value, label):
            selected = " selected" if str(value) == current else ""
            return f'<option value="{escape(value)}"{selected}>{escape(label)}</option>'

        parts = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for value, label in field.choices:
            if isinstance(label, (list, tuple)):
                parts.append(f'<optgroup label="{escape(value)}">')
                parts.extend(option(v, lab) for v, lab in label)
                parts.append("</optgroup>")
            else:
                parts.append(option(value, label))
        parts.append("</select>")
        return Markup("".join(parts))


class _PlaceFields:
    target_group = SelectField(_l("Your group"), validators=[InputRequired(message=_l("Choose the group you belong to."))],
                               validate_choice=False)
    village = SelectField(_l("Village or residential group"),
                          validators=[InputRequired(message=_l("Choose your village or residential group from the list."))],
                          validate_choice=False, widget=GroupedSelect())


class RegistrationForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(message=_l("Write your full name."))],
                            description=_l("As on your ID card, with accents, e.g. Nguyễn Thị Hường."))
    username = StringField(_l("Username or mobile phone number"),
                           validators=[DataRequired(message=_l("Write a username or your mobile phone number."))],
                           description=_l("You will use it to log in."))
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Choose a password."))],
                             description=_l("At least 8 characters. Three words you remember are a good password."))
    confirm = PasswordField(_l("Password again"), validators=[
        DataRequired(message=_l("Write the password a second time.")),
        EqualTo("password", message=_l("The two passwords are not the same."))])
    target_group = _PlaceFields.target_group
    village = _PlaceFields.village
    submit = SubmitField(_l("Create my account"))


class LoginForm(FlaskForm):
    username = StringField(_l("Username or mobile phone number"),
                           validators=[DataRequired(message=_l("Write your username or phone number."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Write your password."))])
    submit = SubmitField(_l("Log in"))


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(message=_l("Write your full name."))])
    target_group = _PlaceFields.target_group
    village = _PlaceFields.village
    household_code = StringField(_l("Household code (optional)"),
                                 validators=[Optional(), Length(max=30, message=_l("At most 30 characters."))],
                                 description=_l("Only if your commune asks for it."))
    birth_year = IntegerField(_l("Year of birth (optional)"), validators=[
        Optional(), NumberRange(min=1900, max=date.today().year,
                                message=_l("Write a year between 1900 and this year, e.g. 1965."))])
    submit = SubmitField(_l("Save"))


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(message=_l("Write your current password."))])
    password = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Choose a new password."))],
                             description=_l("At least 8 characters."))
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(message=_l("Write the new password a second time.")),
        EqualTo("password", message=_l("The two passwords are not the same."))])
    submit = SubmitField(_l("Change password"))
