# Rubric items join the change log (issue 14 §3): an edited item is kept as what changed.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0004_rubric_owner_to_policies'),
    ]

    operations = [
        migrations.AddField(
            model_name='rubricitem',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name='录入时间'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='rubricitem',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='更新时间'),
        ),
    ]
