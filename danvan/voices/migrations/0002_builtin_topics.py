"""The built-in topics. Codes are stable (other systems and reports use them); names are the
Vietnamese names officials use, since topics are data, not interface strings."""

from django.db import migrations

BUILTIN_TOPICS = [
    ("land", "Đất đai, giải phóng mặt bằng"),
    ("environment", "Môi trường"),
    ("infrastructure", "Hạ tầng, giao thông, xây dựng"),
    ("social_policy", "Chính sách xã hội"),
    ("health", "Y tế"),
    ("education", "Giáo dục"),
    ("public_order", "An ninh, trật tự"),
    ("officials_conduct", "Tác phong cán bộ, tham nhũng, tiêu cực"),
    ("religion_ethnicity", "Tôn giáo, dân tộc"),
    ("other", "Khác"),
]


def create(apps, schema_editor):
    Topic = apps.get_model("voices", "Topic")
    for order, (code, name) in enumerate(BUILTIN_TOPICS, start=1):
        Topic.objects.update_or_create(
            code=code, province=None, defaults={"name": name, "order": order * 10}
        )


def remove(apps, schema_editor):
    apps.get_model("voices", "Topic").objects.filter(province=None).delete()


class Migration(migrations.Migration):
    dependencies = [("voices", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
