"""`flask quizzes import-gift`: all or nothing by default, or the good questions with --skip-bad."""
from __future__ import annotations

import yaml

GIFT = """// Ngân hàng thử
::Cài đặt::Nên cài ứng dụng từ đâu? {=Từ CH Play hoặc App Store ~%50%Từ trang của nhà sản xuất ~Từ link lạ}

Viết cảm nghĩ của bạn. {}

Giá trị của pi? {#3.1415:0.0005}.
"""


def test_default_refuses_the_whole_file_and_names_the_line(runner, courses_dir, tmp_path):
    gift = tmp_path / "bank.gift"
    gift.write_text(GIFT, encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-gift", str(gift), "--course", "alpha", "--module", "m2"])
    assert result.exit_code != 0
    assert f"{gift}:4: error: essay questions" in result.output
    assert "nothing imported: 1 of 3 question(s)" in result.output and "--skip-bad" in result.output
    assert not (courses_dir / "alpha" / "quizzes" / "m2.yaml").exists()


def test_skip_bad_writes_the_good_questions_with_their_weights(runner, courses_dir, tmp_path):
    gift = tmp_path / "bank.gift"
    gift.write_text(GIFT, encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-gift", str(gift), "--course", "alpha", "--module", "m2",
                                 "--skip-bad"])
    assert result.exit_code == 0, result.output
    assert f"{gift}:4: refused: essay questions" in result.output
    assert "Imported 2 of 3 question(s)" in result.output and "refused 1 (lines 4)" in result.output
    bank = yaml.safe_load((courses_dir / "alpha" / "quizzes" / "m2.yaml").read_text(encoding="utf-8"))
    first, second = bank["questions"]
    assert first["options"][1] == {"id": "b", "text": "Từ trang của nhà sản xuất", "weight": 50}
    assert second["prompt"] == "Giá trị của pi? _____." and second["tolerance"] == 0.0005
    check = runner.invoke(args=["courses", "check"])
    assert check.exit_code == 0, check.output
