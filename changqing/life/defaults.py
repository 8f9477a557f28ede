"""The shipped defaults of DOMAIN.md §4, used by the data migration (and by tests)."""

MEETING_KINDS = [
    # code, name, order, counts as organisational life, has votes
    ("general_meeting", "党员大会", 10, True, True),
    ("committee_meeting", "支委会", 20, False, True),
    ("group_meeting", "党小组会", 30, True, False),
    ("party_lecture", "党课", 40, True, False),
    ("theme_day", "主题党日", 50, True, False),
    ("review_meeting", "组织生活会", 60, True, False),
    ("member_appraisal", "民主评议党员", 70, True, False),
    ("heart_talk", "谈心谈话", 80, False, False),
    ("study_day", "集中学习日", 90, True, False),
    ("zone_meeting", "片组会议", 100, False, False),
]

# (kind, count, period, per_member)
STANDARD_RULES = [
    ("general_meeting", 1, "quarter", False),
    ("committee_meeting", 1, "month", False),
    ("group_meeting", 1, "month", False),
    ("party_lecture", 1, "quarter", False),
    ("theme_day", 1, "month", False),
    ("review_meeting", 1, "year", False),
    ("member_appraisal", 1, "year", False),
    ("heart_talk", 1, "year", True),
]

RETIRED_RULES = [
    ("general_meeting", 1, "year", False),
    ("committee_meeting", 1, "quarter", False),
    ("group_meeting", 1, "month", False),
    ("party_lecture", 1, "quarter", False),
    ("theme_day", 1, "month", False),
    ("review_meeting", 1, "year", False),
    ("member_appraisal", 1, "year", False),
    ("heart_talk", 1, "year", True),
    ("study_day", 1, "month", False),
]

RULESETS = [
    ("standard", "标准规则（《中国共产党支部工作条例（试行）》2018）", False, STANDARD_RULES),
    ("retired", "离退休干部党支部规则（篇6）", True, RETIRED_RULES),
]
