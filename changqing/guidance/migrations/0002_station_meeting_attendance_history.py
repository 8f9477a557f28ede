# Station meeting attendance joins the change log (issue 14 §3).

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('guidance', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='stationmeetingattendance',
            options={'verbose_name': '例会出席', 'verbose_name_plural': '例会出席'},
        ),
        migrations.AddField(
            model_name='stationmeetingattendance',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name='录入时间'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='stationmeetingattendance',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='更新时间'),
        ),
        migrations.AlterField(
            model_name='stationmeetingattendance',
            name='guide',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meeting_attendance', to='guidance.guide', verbose_name='指导员'),
        ),
        migrations.AlterField(
            model_name='stationmeetingattendance',
            name='meeting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='guidance.stationmeeting', verbose_name='例会'),
        ),
    ]
