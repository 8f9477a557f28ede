# Volunteer hours, team members and campaign targets join the change log (issue 14 §3).

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0001_initial'),
        ('members', '0002_history_transfers_photo'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='participation',
            options={'verbose_name': '志愿服务时长', 'verbose_name_plural': '志愿服务时长'},
        ),
        migrations.AlterModelOptions(
            name='teammember',
            options={'verbose_name': '服务队队员', 'verbose_name_plural': '服务队队员'},
        ),
        migrations.AddField(
            model_name='campaigntarget',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name='录入时间'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='campaigntarget',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='更新时间'),
        ),
        migrations.AddField(
            model_name='participation',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name='录入时间'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='participation',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='更新时间'),
        ),
        migrations.AddField(
            model_name='teammember',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name='录入时间'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='teammember',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='更新时间'),
        ),
        migrations.AlterField(
            model_name='participation',
            name='activity',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='care.volunteeractivity', verbose_name='志愿服务活动'),
        ),
        migrations.AlterField(
            model_name='participation',
            name='retiree',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='volunteer_hours', to='members.retiree', verbose_name='参加人'),
        ),
        migrations.AlterField(
            model_name='teammember',
            name='team',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='care.volunteerteam', verbose_name='服务队'),
        ),
    ]
