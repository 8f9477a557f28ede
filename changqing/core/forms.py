"""Helpers shared by every app's forms."""
from django import forms
from django.core.exceptions import ValidationError


def apply_errors(form: forms.Form, exc: ValidationError):
    """Put a service's ValidationError beside the matching field, the rest at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def form_page(request, form, *, title: str, cancel_url: str, save, success: str = ""):
    """The usual form page: on a valid POST call save(form) inside a transaction and redirect to
    what it returns; a service's ValidationError goes beside the fields and nothing is written."""
    from django.contrib import messages
    from django.db import IntegrityError, transaction
    from django.shortcuts import redirect, render

    from . import conflicts

    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                target = save(form)
        except ValidationError as exc:
            apply_errors(form, exc)
        except conflicts.ConflictError as exc:
            conflicts.reject(form, exc)
        except IntegrityError as exc:
            conflicts.integrity_errors(form, exc)
        else:
            if success:
                messages.success(request, success)
            return redirect(target)
    return render(request, "core/form.html", {"title": title, "form": form, "cancel_url": cancel_url})


def default_own_organization(field, user) -> None:
    """Start an organisation choice at the user's own organisation (issue 18), when the form has no value yet.

    The user's own organisation is core.scope.home_path; when it is not among the choices (a branch form for a
    bureau admin), the nearest choice above it, else nothing is preset.
    """
    from changqing.core.scope import home_path

    if field.initial or user is None:
        return
    home = home_path(user)
    if not home:
        return
    ancestors = [home[:i] for i in range(len(home), 0, -1)]
    own = field.queryset.filter(path__in=ancestors).order_by("-depth").first()
    if own is not None:
        field.initial = own.pk
