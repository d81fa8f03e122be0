"""Ticket templates (场景化模板): which fields a category asks for, and their values' checks.

The fields of a category and of its ancestors apply, ancestors first. They are held per
process like tickets/catalog.py (dropped at once on a save in this process, else after
CATALOG_TTL seconds), so a creation costs no query for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from config.errors import DomainError
from config.masking import mask_address, mask_phone
from config.phones import canonical_mobile
from config.snapshot import ProcessSnapshot
from tickets.choices import FieldKind
from tickets.models import Category, TemplateField

MAX_TEXT = 500
_AMOUNT = re.compile(r"(?<![\d.])(\d{1,9}(?:\.\d{1,2})?)\s*(?:元|块|rmb|RMB|¥)?")


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    kind: str
    required: bool
    choices: tuple
    prompt: str
    help_text: str
    group: str = ""

    @property
    def evidence(self) -> bool:
        return self.kind == FieldKind.EVIDENCE

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "kind": self.kind,
                "required": self.required, "choices": list(self.choices),
                "prompt": self.prompt or _("Please tell us: %(label)s") % {"label": self.label},
                "help_text": self.help_text, "group": self.group,
                "stage": "submit_review" if self.evidence else "create"}


def _load() -> dict:
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    own: dict[int, list[Field]] = {}
    for row in TemplateField.objects.order_by("sort_order", "id"):
        own.setdefault(row.category_id, []).append(Field(
            row.code, row.label, row.kind, row.required, tuple(row.choices or ()),
            row.prompt, row.help_text, row.group))
    fields = {}
    for pk in parents:
        chain, node, seen = [], pk, set()
        while node is not None and node not in seen:
            seen.add(node)
            chain.append(node)
            node = parents.get(node)
        merged: dict[str, Field] = {}
        for node in reversed(chain):  # a child's field overrides its ancestor's of that code
            for f in own.get(node, ()):
                merged[f.code] = f
        if merged:
            fields[pk] = tuple(merged.values())
    return fields


_snapshot = ProcessSnapshot(_load, ttl_setting="CATALOG_TTL")
clear = _snapshot.clear

for _model in (TemplateField, Category):
    post_save.connect(clear, sender=_model, dispatch_uid=f"template-save-{_model.__name__}")
    post_delete.connect(clear, sender=_model, dispatch_uid=f"template-delete-{_model.__name__}")


def fields_for(category_id: int | None) -> tuple[Field, ...]:
    return _snapshot.get().get(category_id, ())


def _clean_value(field: Field, value):
    """The stored form of `value`, or raises ValueError with the reason."""
    if field.kind == FieldKind.EVIDENCE:
        raise ValueError(_("Evidence is a file: upload it to the ticket's attachments."))
    if isinstance(value, str):
        value = value.strip()
    if value in (None, "", [], {}):
        return None
    if field.kind in (FieldKind.NUMBER, FieldKind.MONEY):
        if isinstance(value, bool):
            raise ValueError(_("Enter a number."))
        if isinstance(value, str):
            match = _AMOUNT.fullmatch(value.replace(",", "").replace("¥", "").strip())
            if not match:
                raise ValueError(_("Enter a number."))
            value = match.group(1)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(_("Enter a number.")) from None
        if number < 0:
            raise ValueError(_("Enter a number of at least 0."))
        if field.kind == FieldKind.MONEY:
            return round(number, 2)
        return int(number) if number == int(number) else number
    if not isinstance(value, str):
        raise ValueError(_("Enter text."))
    if field.kind == FieldKind.CHOICE:
        if value not in field.choices:
            raise ValueError(_("Choose one of: %(choices)s") % {"choices": "、".join(
                field.choices)})
        return value
    if field.kind == FieldKind.PHONE:
        phone = canonical_mobile(value)
        if phone is None:
            raise ValueError(_("Enter a mainland mobile number."))
        return phone
    return value[:MAX_TEXT]


def _error(code: str, detail: str, fields: list[Field], **extra) -> DomainError:
    return DomainError(detail, code=code, extra={
        "fields": [f.code for f in fields], "labels": {f.code: f.label for f in fields},
        **extra})


def missing_error(missing: list[Field]) -> DomainError:
    parts, seen = [], set()
    for f in missing:
        if f.group and f.group in seen:
            continue
        seen.add(f.group)
        parts.append(_(" or ").join(m.label for m in missing if m.group == f.group)
                     if f.group else f.label)
    return _error("missing_fields", _("Please fill in: %(labels)s.") % {
        "labels": "、".join(parts)}, missing,
        groups={f.group: [m.code for m in missing if m.group == f.group]
                for f in missing if f.group})


def clean_values(category_id: int | None, values: dict | None, *, current: dict | None = None,
                 require: bool = True) -> dict:
    """The template values to store: `current` updated with `values`, each checked by kind.

    400 `invalid_fields` (fields, errors) for unknown codes or bad values; then, with
    `require`, 400 `missing_fields` (fields, labels, groups) when a required non-evidence field
    (or every field of a one-of group) has no value."""
    values = values or {}
    if not isinstance(values, dict):
        raise DomainError(_("Some template fields are not valid."), code="invalid_fields",
                          extra={"fields": [], "errors": {}, "labels": {}})
    fields = {f.code: f for f in fields_for(category_id)}
    unknown = sorted(set(values) - set(fields))
    errors = {code: _("This category has no such field.") for code in unknown}
    cleaned = dict(current or {})
    for code, value in values.items():
        if code in unknown:
            continue
        try:
            stored = _clean_value(fields[code], value)
        except ValueError as exc:
            errors[code] = str(exc)
            continue
        if stored is None:
            cleaned.pop(code, None)
        else:
            cleaned[code] = stored
    if errors:  # a value given but wrong is named first: it is not "missing"
        bad = [fields[c] for c in errors if c in fields]
        raise DomainError(_("Some template fields are not valid."), code="invalid_fields",
                          extra={"fields": sorted(errors), "errors": errors,
                                 "labels": {f.code: f.label for f in bad}})
    if require:
        missing = missing_required(category_id, cleaned)
        if missing:
            raise missing_error(missing)
    return cleaned


def missing_required(category_id: int | None, values: dict) -> list[Field]:
    """Required fields without a value (evidence excluded: it is a file), and every member of
    a one-of group none of whose members has a value."""
    fields = [f for f in fields_for(category_id) if not f.evidence]
    given = {f.code for f in fields if values.get(f.code) not in (None, "")}
    groups_given = {f.group for f in fields if f.group and f.code in given}
    return [f for f in fields if f.code not in given and (
        f.group not in groups_given if f.group else f.required)]


def values_by_kind(category_id: int | None, **by_kind) -> dict:
    """Template values from what a caller knows by meaning rather than by field code (e.g.
    address=…, time=…, text=…): each goes to the category's first field of that kind."""
    values = {}
    for field in fields_for(category_id):
        value = by_kind.get(field.kind)
        if value not in (None, "") and field.kind not in {
                f.kind for f in fields_for(category_id) if f.code in values}:
            values[field.code] = value
    return values


def evidence_status(category_id: int | None, attachments) -> dict[str, list[int]]:
    """Evidence field code → ids of the attachments that prove it: those tagged with its code,
    and untagged ones (a customer's photo sent without saying what for counts)."""
    out = {}
    for field in fields_for(category_id):
        if field.evidence:
            out[field.code] = [a.pk for a in attachments
                               if a.evidence_for in ("", field.code)]
    return out


def display(field: Field, value) -> str:
    """A value as shown where it may be seen beyond the ticket's own agents: masked."""
    if value is None:
        return ""
    if field.kind == FieldKind.PHONE:
        return mask_phone(str(value))
    if field.kind == FieldKind.ADDRESS:
        return mask_address(str(value))
    return str(value)
