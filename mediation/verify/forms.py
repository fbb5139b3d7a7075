"""The verification page's form."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SubmitField

from ..web.forms import AppForm


class VerifyForm(AppForm):
    """Compare a PDF with the registered one."""

    pdf = FileField(_l("PDF file to compare"))
    submit = SubmitField(_l("Compare"))
