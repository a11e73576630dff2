"""Forms of the teaching pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.auth.forms import GroupedSelect


# --- forms ------------------------------------------------------------------------------

class ClassForm(FlaskForm):
    name = StringField(_l("Class name"), validators=[DataRequired(_l("Give the class a name.")), Length(max=120)],
                       description=_l("For example: Lớp kỹ năng số thôn 1, tối thứ Ba"))
    place = SelectField(_l("Village or residential group"), validate_choice=False, widget=GroupedSelect())
    target_group = SelectField(_l("Target group"), validate_choice=False)
    schedule = StringField(_l("When and where it meets (optional)"), validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class AccountForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Write the learner's full name.")), Length(max=120)])
    username = StringField(_l("Username or mobile phone number (optional)"), validators=[Optional(), Length(max=40)],
                           description=_l("Leave empty to make one from the name."))
    target_group = SelectField(_l("Target group"), validators=[InputRequired(_l("Choose the group the learner belongs to."))],
                               validate_choice=False)
    village = SelectField(_l("Village or residential group"), widget=GroupedSelect(), validate_choice=False,
                          validators=[InputRequired(_l("Choose the learner's village or residential group."))])


class AssignForm(FlaskForm):
    course = SelectField(_l("Course"), validators=[InputRequired(_l("Choose a course from the list."))],
                         validate_choice=False)
    due_on = DateField(_l("Due date (optional)"), validators=[Optional()])
    note = StringField(_l("Note for learners (optional)"), validators=[Optional(), Length(max=300)])


class GuidanceForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[InputRequired(_l("Write the date of the session."))])
    village = SelectField(_l("Village or residential group"), widget=GroupedSelect(), validate_choice=False,
                          validators=[InputRequired(_l("Choose the village or residential group where you helped."))])
    people_helped = IntegerField(_l("People helped"), validators=[
        InputRequired(_l("Write how many people you helped (1 to 500).")),
        NumberRange(1, 500, _l("Write how many people you helped (1 to 500)."))])
    topic = StringField(_l("What you helped with"), validators=[DataRequired(_l("Write what you helped with.")),
                                                                Length(max=200)],
                        description=_l("For example: cài VNeID, nộp hồ sơ dịch vụ công, nhận biết tin nhắn lừa đảo"))
    class_id = SelectField(_l("Class (optional)"), validate_choice=False)
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class CodeSignInForm(FlaskForm):
    username = StringField(_l("Username or mobile phone number"),
                           validators=[DataRequired(message=_l("Write your username or phone number."))])
    code = StringField(_l("One-time code"), validators=[DataRequired(message=_l("Write the code on your paper."))],
                       description=_l("The code your teacher printed for you, for example ABCD-EFGH-JK."))
