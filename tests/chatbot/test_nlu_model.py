"""Training, saving, loading and the understand/eval commands, on a small model."""

import json

import pytest
from django.core.management import CommandError, call_command

from chatbot.nlu import model, pipeline


@pytest.fixture
def trained(nlu_model):
    return nlu_model


def test_training_writes_a_versioned_model(trained):
    manifest = json.loads((trained / "manifest.json").read_text())
    assert manifest["seed"] == 1 and manifest["examples"] >= 1500
    assert model.current_dir() == trained
    assert (trained / "classifiers.joblib").exists() and (trained / "ner").is_dir()


def test_understand_command_prints_the_interface_shape(trained, capsys):
    call_command("understand", "顺丰SF1409821733526到哪了 我电话13800138000")
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"intent", "confidence", "slots", "emotion", "waybills"}
    assert result["intent"] == "track_query"
    assert result["slots"]["waybill"] == ["SF1409821733526"]
    assert result["waybills"] == [{"number": "SF1409821733526", "carrier": "sf",
                                   "carrier_name": "顺丰速运"}]
    assert result["slots"]["phone"] == ["13800138000"]
    assert set(result["slots"]) == set(pipeline.SLOT_NAMES)
    assert 0 < result["confidence"] <= 1


def test_understand_tsv_prints_one_object_per_row(trained, tmp_path, capsys):
    tsv = tmp_path / "u.tsv"
    tsv.write_text("utterance\tnote\n我要转人工\tx\n快递被摔坏了\ty\n", encoding="utf-8")
    call_command("understand", "--tsv", str(tsv))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["utterance"] for line in lines] == ["我要转人工", "快递被摔坏了"]
    assert [line["intent"] for line in lines] == ["human_agent", "damaged_parcel"]


def test_angry_markers_override_the_classifier(trained):
    assert pipeline.understand("你们这什么垃圾快递！！！我要打12315")["emotion"] == "angry"


def test_eval_command_reports_the_scores(trained, tmp_path, capsys):
    tsv = tmp_path / "e.tsv"
    tsv.write_text('utterance\tintent\temotion\tslots\n'
                   '我要转人工\thuman_agent\tneutral\t{}\n'
                   'SF1409821733526到哪了\ttrack_query\tneutral\t{"waybill":["SF1409821733526"]}\n',
                   encoding="utf-8")
    call_command("eval_nlu", str(tsv), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["examples"] == 2 and report["accuracy"] == 1.0
    assert report["slots"]["waybill"]["f1"] == 1.0
    assert report["confusion"]["labels"] == ["human_agent", "track_query"]


def test_commands_refuse_bad_input(trained, tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("text\n你好\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("understand", "--tsv", str(bad))
    with pytest.raises(CommandError):
        call_command("understand")


def test_understand_reads_styles_the_training_rarely_uses(trained):
    result = pipeline.understand("中通单号 七五八八 一二零九 三七一五 六二 快第到哪了")
    assert result["slots"]["waybill"] == ["75881209371562"]
    assert result["waybills"][0]["carrier"] == "zto"
    result = pipeline.understand("改成上海市静安区南京西路1266号，电话0086-13588201937")
    assert result["slots"]["address"] == ["上海市静安区南京西路1266号"]
    assert result["slots"]["phone"] == ["13588201937"]
    assert pipeline.understand("nmd 快递员骂人")["emotion"] == "angry"
