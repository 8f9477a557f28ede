"""The browsable API under the Content-Security-Policy (docs/architecture.md, CSP)."""
from rest_framework.renderers import BrowsableAPIRenderer


class StrictBrowsableAPIRenderer(BrowsableAPIRenderer):
    """DRF's browsable API without the inline <style> of Pygments colours it adds when Pygments is
    installed: the policy allows style elements only from our static files. Docstrings show uncoloured."""

    def get_context(self, *args, **kwargs):
        context = super().get_context(*args, **kwargs)
        context["code_style"] = None
        return context
