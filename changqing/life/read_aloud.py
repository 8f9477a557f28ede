"""朗读 of a work list or a study material: the audio of one scoped object (core.views.speech_response)."""
from django.contrib.auth.decorators import login_required
from django.http import Http404

from changqing.core.scope import object_view
from changqing.core.views import speech_response

from .models import StudyMaterial, WorkList
from .today import material_text, readable_notices, worklist_text

NOT_FOUND = "不在您的数据范围内，或记录不存在"


@object_view(WorkList)
@login_required
def worklist_read_aloud(request, pk: int):
    lists, _ = readable_notices(request)
    work_list = lists.select_related("publisher").filter(pk=pk).first()
    if work_list is None:
        raise Http404(NOT_FOUND)
    return speech_response(worklist_text(work_list))


@object_view(StudyMaterial)
@login_required
def material_read_aloud(request, pk: int):
    _, materials = readable_notices(request)
    material = materials.filter(pk=pk).first()
    if material is None:
        raise Http404(NOT_FOUND)
    return speech_response(material_text(material))
