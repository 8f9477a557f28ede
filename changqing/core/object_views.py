"""Generic object views: a page that edits or acts on records through a service, in a few declarative lines.

Shaped after NetBox's ObjectEditView (a view names its queryset, form and template; the
generic view does the fetching, validation and redirect), but every write goes through
a service function, as STYLE.md asks, and a service's ValidationError is shown beside
the fields it names with nothing written (the service runs in a transaction).

    class CampaignCreateView(ObjectFormView):
        form_class = CampaignForm
        title = "发起评选"
        success_message = "评选已创建，现处于提名阶段"
        cancel_url = reverse_lazy("honours:campaigns")

        def perform(self, form):
            return services.campaign_create(user=self.request.user, **form.cleaned_data)

A page about one record sets `model` (and `scope_lookups` when the URL names it by
something else than pk): the record is fetched inside the user's scope for `action`
before anything else, so a record out of reach is a 404, and the scope sweep test
knows which model the URL shows. `self.object` is that record in every hook.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.views import View

from . import conflicts
from .forms import apply_errors
from .scope import get_scoped_object_or_404, scope_for


class ObjectView(LoginRequiredMixin, View):
    """The record a page acts on, fetched within the user's scope (none when `model` is None)."""

    model = None
    queryset = None  # a narrower queryset of `model` (select_related); defaults to all records
    scope_lookups: dict[str, str] = {"pk": "pk"}  # URL kwarg -> model field; read by the scope sweep too
    action = "change"  # what the user must be allowed to do on the record, or somewhere for a new one
    success_url = None  # where to go after the service succeeded (a URL or URL name); default: see get_success_url
    object = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        if (refusal := self.refuse()) is not None:
            return refusal
        self.check_permission()
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if self.queryset is not None:
            return self.queryset.all()
        return self.model._default_manager.all()

    def get_object(self):
        if self.model is None and self.queryset is None:
            return None
        lookup = {field: self.kwargs[kwarg] for kwarg, field in self.scope_lookups.items() if kwarg in self.kwargs}
        if not lookup:  # the same view serves "new" (no kwarg) and "edit"
            return None
        return get_scoped_object_or_404(self.get_queryset(), self.request.user, self.action, **lookup)

    def refuse(self):
        """A response instead of the page when the record is not in a state for it (a message and a
        redirect: the nomination phase is over, the person is already a member), else None."""
        return None

    def check_permission(self):
        """Raise PermissionDenied when the user may not use this page (beyond reaching the record).

        A page creating a record (no record in the URL) needs `action` rights somewhere.
        """
        if self.object is None and scope_for(self.request.user, self.action).empty:
            raise PermissionDenied("您的角色无权进行此操作")

    def get_success_url(self, result=None):
        """Where to go after the service succeeded: success_url, else what it returned, else the record."""
        if self.success_url is not None:
            return self.success_url
        return result if result is not None else self.object


class ObjectFormView(ObjectView):
    """GET shows the form; a valid POST calls `perform(form)` in a transaction and redirects."""

    form_class = None
    template_name = "core/form.html"
    title = ""
    success_message = ""
    cancel_url = None

    def get_form_kwargs(self) -> dict:
        return {}

    def get_form(self):
        data = (self.request.POST, self.request.FILES) if self.request.method == "POST" else ()
        return self.form_class(*data, **self.get_form_kwargs())

    def perform(self, form):
        """Call the service with the form's cleaned data; return where to go next (or None for the record)."""
        raise NotImplementedError

    def get_title(self) -> str:
        return self.title

    def get_success_message(self, result) -> str:
        return self.success_message

    def get_cancel_url(self):
        if self.cancel_url is not None:
            return str(self.cancel_url)
        return self.object.get_absolute_url() if self.object is not None else ""

    def get_context_data(self, **kwargs) -> dict:
        return {"title": self.get_title(), "cancel_url": self.get_cancel_url(), "object": self.object, **kwargs}

    def get(self, request, *args, **kwargs):
        return self.render(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            read = getattr(form, "read_version", None)
            record = getattr(form, "instance", None) or getattr(form, "versioned", None)
            if read is not None and self.object is not None and type(record) is type(self.object) \
                    and record.pk == self.object.pk:
                # The service may save the page's record rather than the form's copy of it.
                conflicts.expect(self.object, read)
            try:
                with transaction.atomic():
                    result = self.perform(form)
            except ValidationError as exc:
                apply_errors(form, exc)
            except conflicts.ConflictError as exc:  # someone saved the record since this form was read
                conflicts.reject(form, exc)
            except IntegrityError as exc:  # someone created the same thing at the same moment
                conflicts.integrity_errors(form, exc)
            else:
                if message := self.get_success_message(result):
                    messages.success(request, message)
                return redirect(self.get_success_url(result))
        return self.render(form)

    def render(self, form):
        return render(self.request, self.template_name, self.get_context_data(form=form))


class ObjectCreateView(ObjectFormView):
    """A page registering a record through its ModelForm: form.save() writes it (with its history).

    Editing a record (an instance in get_form_kwargs) is conflict-safe when the form mixes in
    core.conflicts.VersionedFormMixin (the sweep test asks it of every change-logged ModelForm).

    The form gets the user (forms restrict their choices to the user's scope) and get_initial().
    """

    def get_initial(self) -> dict:
        return {}

    def get_form_kwargs(self):
        return {"user": self.request.user, "initial": self.get_initial()}

    def perform(self, form):
        return form.save()


class ObjectActionView(ObjectView):
    """A button on a record's page: a POST calls `perform()`; its errors come back as a message.

    A GET (a stale link, a reload) only goes back to the record's page: nothing is done without the button.
    """

    success_message = ""

    def perform(self):
        """Call the service; what it returns is handed to get_success_message."""
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        return self.success_message

    def get(self, request, *args, **kwargs):
        return redirect(self.get_success_url())

    def post(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                result = self.perform()
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            if message := self.get_success_message(result):
                messages.success(request, message)
        return redirect(self.get_success_url())
