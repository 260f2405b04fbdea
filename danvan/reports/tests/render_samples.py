"""A snapshot with fixed figures and the two documents built on it, for the rendering tests."""

from __future__ import annotations

import datetime

from danvan.reports.render import ReportDocument
from danvan.reports.snapshot import (
    CaseFigures,
    ChildReport,
    Concern,
    Count,
    HotSpot,
    ModelFigures,
    PeriodInfo,
    Snapshot,
    TrendPoint,
    VoterFigures,
)

PERIOD = PeriodInfo(
    code="2026-Q3",
    kind="quarter",
    start="2026-07-01",
    end="2026-09-30",
    label="quý III năm 2026",
    previous_start="2026-04-01",
    previous_end="2026-06-30",
    last_year_start="2025-07-01",
    last_year_end="2025-09-30",
)

TOPICS = [
    ("land", "Đất đai", 412, 380, 350),
    ("environment", "Môi trường", 233, 251, 199),
    ("infrastructure", "Hạ tầng, giao thông", 187, 160, 171),
    ("social", "Chính sách xã hội", 141, 122, 90),
    ("health", "Y tế", 77, 80, 64),
    ("education", "Giáo dục", 69, 58, 61),
    ("security", "An ninh, trật tự", 55, 47, 52),
    ("administration", "Thủ tục hành chính", 44, 39, 40),
    ("culture", "Văn hóa", 21, 19, 18),
    ("other", "Lĩnh vực khác", 17, 14, 9),
]


def sample_snapshot() -> Snapshot:
    by_topic = [Count(key, label, n, p, y) for key, label, n, p, y in TOPICS]
    total_n = sum(c.n for c in by_topic)  # 1.256
    return Snapshot(
        unit_code="40",
        unit_name="tỉnh Nghệ An",
        unit_tier="province",
        period=PERIOD,
        generated_at="2026-10-02T08:00:00+07:00",
        total=Count("total", "Tổng số", total_n, 1170, 1054),
        answered=1103,
        answered_on_time=986,
        average_days=8.4,
        overdue=37,
        by_kind=[
            Count("reflection", "Phản ánh", 731, 690, 612),
            Count("recommendation", "Kiến nghị", 398, 371, 344),
            Count("complaint", "Khiếu nại", 93, 81, 70),
            Count("denunciation", "Tố cáo", 34, 28, 28),
        ],
        by_topic=by_topic,
        by_channel=[
            Count("app", "Ứng dụng", 602, 540, 401),
            Count("meeting", "Tiếp xúc trực tiếp", 433, 420, 460),
            Count("phone", "Đường dây nóng", 221, 210, 193),
        ],
        by_unit=[
            Count("17329", "Xã Anh Sơn", 318, 301, 287),
            Count("16813", "Xã Mường Xén", 276, 254, 231),
            Count("16681", "Phường Vinh Hưng", 662, 615, 536),
        ],
        trend=[
            TrendPoint("07/2026", 402, 366),
            TrendPoint("08/2026", 431, 395),
            TrendPoint("09/2026", 423, 409),
        ],
        concerns=[
            Concern(
                issue_id=11,
                title="Ô nhiễm do trại chăn nuôi lợn",
                unit="Xã Anh Sơn",
                voices=57,
                total_voices=83,
                text="Mùi hôi từ trại lợn của hộ ông T. làm cả xóm không mở được cửa.",
                status="Đang xử lý",
                topic="Môi trường",
            ),
            Concern(
                issue_id=12,
                title="Bồi thường giải phóng mặt bằng đường ven sông",
                unit="Phường Vinh Hưng",
                voices=44,
                total_voices=61,
                text="Giá bồi thường thấp hơn giá thị trường nhiều lần.",
                status="Đã trả lời",
                topic="Đất đai",
            ),
        ],
        hot_spots=[
            HotSpot(
                alert_id=5,
                level=3,
                level_label="Nghiêm trọng",
                rule_label="Ý kiến tăng đột biến",
                unit="Phường Vinh Hưng",
                topic="Đất đai",
                raised_on="2026-08-14",
                reason="Số ý kiến về đất đai trong 7 ngày gấp 4 lần mức bình thường",
                status_label="Đã xử lý",
                handling="Tổ công tác liên ngành đối thoại với 26 hộ dân ngày 20/8/2026.",
            ),
        ],
        complaints=CaseFigures(
            received=93,
            accepted=81,
            refused=12,
            resolved=66,
            resolved_on_time=59,
            resolved_late=7,
            pending=15,
            overdue=4,
        ),
        denunciations=CaseFigures(
            received=34,
            accepted=29,
            refused=5,
            resolved=22,
            resolved_on_time=20,
            resolved_late=2,
            pending=7,
            overdue=1,
        ),
        voter_recommendations=VoterFigures(
            received=146, answered=128, answered_on_time=117, pending=18
        ),
        models=ModelFigures(
            registered=23,
            honored=9,
            total_active=311,
            honored_names=["Đường sáng, ngõ xanh", "Xóm không có rác thải nhựa"],
        ),
        children_reports=[
            ChildReport(
                report_id=3,
                unit="Xã Anh Sơn",
                symbol="08/BC-UBND",
                issued_on="2026-10-05",
                received=318,
                complaints=27,
                resolved_on_time=19,
                proposals="Đề nghị tỉnh sớm di dời trại lợn ra khỏi khu dân cư.",
            ),
            ChildReport(
                report_id=4,
                unit="Xã Mường Xén",
                symbol="06/BC-UBND",
                issued_on="2026-10-06",
                received=276,
                complaints=14,
                resolved_on_time=13,
                proposals="",
            ),
        ],
    )


def empty_snapshot() -> Snapshot:
    return Snapshot(
        unit_code="17329",
        unit_name="xã Anh Sơn",
        unit_tier="commune",
        period=PERIOD,
        generated_at="2026-10-02T08:00:00+07:00",
        total=Count("total", "Tổng số"),
    )


def party_document(snapshot: Snapshot | None = None, *, draft: bool = False) -> ReportDocument:
    return ReportDocument(
        format="party",
        superior="Tỉnh ủy Nghệ An",
        issuer="Ban Tuyên giáo và Dân vận",
        body_code="BTGDVTU",
        number=15,
        place="Nghệ An",
        date=datetime.date(2026, 10, 8),
        title="Tình hình nhân dân quý III năm 2026",
        snapshot=snapshot or sample_snapshot(),
        assessment="Tình hình nhân dân cơ bản ổn định.\n\nMột số vụ việc đất đai còn kéo dài.",
        proposals="Đề nghị Ban Thường vụ chỉ đạo giải quyết dứt điểm vụ việc trại lợn.",
        signer_prefix="on_behalf",
        signer_authority="Ban Thường vụ",
        signer_position="Phó Trưởng ban",
        signer_name="Hoàng Văn Minh",
        recipients=["Ban Dân vận Trung ương (để b/c)", "Thường trực Tỉnh ủy (để b/c)"],
        draft=draft,
    )


def state_document(snapshot: Snapshot | None = None, *, draft: bool = False) -> ReportDocument:
    return ReportDocument(
        format="state",
        superior="",
        issuer="Ủy ban nhân dân xã Anh Sơn",
        body_code="UBND",
        number=15,
        place="Anh Sơn",
        date=datetime.date(2027, 1, 5),
        title="Tình hình nhân dân quý III năm 2026",
        snapshot=snapshot or sample_snapshot(),
        assessment="",
        proposals="",
        signer_prefix="deputy",
        signer_authority="Chủ tịch",
        signer_position="Phó Chủ tịch",
        signer_name="Nguyễn Văn A",
        recipients=["UBND tỉnh Nghệ An;", "- Đảng ủy xã"],
        draft=draft,
    )
