"""The command line: one smoke test per command and its one-line errors (exit 2, no traceback)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import (
    TINY_LM,
    one_line_error,
    run_cli,
)

from langind.crosslingual.embeddings import write_word2vec


def test_cross_cli_on_any_pair_without_a_dictionary_ends_with_a_lexicon_and_a_confidence_line(pair, tmp_path):
    r = run_cli("induce", "cross", "--src", "xa", "--tgt", "xb", "--src-corpus", str(pair / "a.txt"),
                "--tgt-corpus", str(pair / "b.txt"), "--top", "100", "--quiet", "--out", str(tmp_path / "r"))
    assert r.returncode == 0, r.stderr
    assert "not scored" in r.stdout and "P@1" not in r.stdout
    said = r.stdout + r.stderr
    assert "confidence: split-half check" in said and (tmp_path / "r" / "lexicon.xa-xb.tsv").is_file()
    flipped = tmp_path / "flipped.txt"
    flipped.write_text("".join(f"{b} {a}\n" for a, b in (x.split() for x in (pair / "dict.txt").read_text().splitlines())))
    one_line_error(run_cli("induce", "cross", "--src", "xa", "--tgt", "xb", "--src-corpus", str(pair / "a.txt"),
                           "--tgt-corpus", str(pair / "b.txt"), "--dictionary", str(flipped), "--top", "100",
                           "--out", str(tmp_path / "f")), "not a xa-xb dictionary")


def test_resume_without_checkpoint_is_a_clear_error(tmp_path):
    r = run_cli("lm", "train", "--resume", str(tmp_path / "nothing"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("content,needle", [
    (None, "no such file"), (b"", "empty"), (b"\x00\x01\x02binary\x00", "binary"),
    ("línea uno\nlínea dos\n".encode("latin-1"), "not valid UTF-8"),
])
def test_cli_bad_corpus(tmp_path, content, needle):
    p = tmp_path / "corpus.txt"
    if content is not None:
        p.write_bytes(content)
    r = run_cli("lm", "train", "--corpus", str(p), "--out", str(tmp_path / "run"), *TINY_LM)
    one_line_error(r, needle)


def test_cli_eval_and_generate(trained):
    r = run_cli("lm", "eval", str(trained[0]))
    assert r.returncode == 0 and "perplexity" in r.stdout, r.stderr
    ppl = float(r.stdout.split("perplexity ")[1].split()[0])
    assert ppl == pytest.approx(trained[1]["best_valid_ppl"], rel=1e-3)
    r = run_cli("lm", "generate", str(trained[0]), "the big", "-n", "8")
    assert r.returncode == 0 and r.stdout.startswith("the big") and len(r.stdout.strip().replace("\n", " <eos> ").split()) == 10


def test_export_embeddings_and_evaluate_identity(trained, tmp_path):
    """An LM's table against itself, with a word→same-word dictionary: every word is its own NN."""
    vec = tmp_path / "e.vec"
    r = run_cli("embeddings", "export", str(trained[0]), str(vec))
    assert r.returncode == 0, r.stderr
    words = [line.split(" ")[0] for line in vec.read_text().splitlines()[1:]]
    alpha = [w for w in words if w.isalpha()]
    (tmp_path / "d.txt").write_text("".join(f"{w} {w}\n" for w in alpha))
    r = run_cli("evaluate", str(vec), str(vec), "--dictionary", str(tmp_path / "d.txt"), "--retrieval", "nn")
    assert r.returncode == 0, r.stderr
    assert "P@1 1.000" in r.stdout and f"{len(alpha)} words evaluated" in r.stdout
    (tmp_path / "bad.txt").write_text("only-one-field\n")
    one_line_error(run_cli("evaluate", str(vec), str(vec), "--dictionary", str(tmp_path / "bad.txt")),
                    "expected two words")


def test_cli_decipher_writes_lexicon_and_evaluates(pair, tmp_path):
    r = run_cli("induce", "cross", "--method", "decipher", "--src", "xa", "--tgt", "xb",
                "--src-corpus", str(pair / "a.txt"), "--tgt-corpus", str(pair / "b.txt"), "--tgt-lm", str(pair / "lm-b"),
                "--dictionary", str(pair / "dict.txt"), "--minutes", "0.05", "--threads", "1", "--quiet",
                "--out", str(tmp_path / "run"))
    assert r.returncode == 0, r.stderr
    assert "decipher xa->xb csls" in r.stdout
    for name in ("lexicon.xa-xb.tsv", "vectors.xa.vec", "vectors.xb.vec", "metrics.json", "report.md"):
        assert (tmp_path / "run" / name).is_file(), name


def test_cli_hybrid_rejects_a_lexicon_of_the_wrong_languages(pair, tmp_path):
    (tmp_path / "lex.tsv").write_text("uno\tone\t1.0\n")
    r = run_cli("induce", "cross", "--method", "hybrid", "--src", "xa", "--tgt", "xb",
                "--src-corpus", str(pair / "a.txt"), "--tgt-lm", str(pair / "lm-b"), "--init-lexicon", str(tmp_path / "lex.tsv"),
                "--dictionary", str(pair / "dict.txt"), "--minutes", "0.05", "--threads", "1", "--quiet",
                "--out", str(tmp_path / "run"))
    assert r.returncode == 2 and "shares no word pair" in r.stderr and "Traceback" not in r.stderr


def test_align_smoke_and_errors(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 8))
    write_word2vec(tmp_path / "s.vec", [f"w{i}" for i in range(60)], x)
    write_word2vec(tmp_path / "t.vec", [f"w{i}" for i in range(60)], x[:, ::-1])
    r = run_cli("align", str(tmp_path / "s.vec"), str(tmp_path / "t.vec"), str(tmp_path / "a.vec"),
                str(tmp_path / "b.vec"), "--method", "identical")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "a.vec").is_file() and (tmp_path / "b.vec").is_file()
    one_line_error(run_cli("align", str(tmp_path / "s.vec"), str(tmp_path / "t.vec"), str(tmp_path / "a.vec"),
                           str(tmp_path / "b.vec"), "--method", "nope"), "unknown method")


@pytest.mark.parametrize("where", ["/proc/langind-test/run", "FILE/run"])
def test_unwritable_output_paths_are_one_line_errors(tmp_path, toy_corpus, trained, where):
    """--out under /proc (cannot be created) or under an existing file: exit 2, one line, nothing written."""
    (tmp_path / "FILE").write_text("a file the user made\n")
    out = where.replace("FILE", str(tmp_path / "FILE"))
    one_line_error(run_cli("lm", "train", "--corpus", str(toy_corpus), "--out", out, *TINY_LM), "choose another")
    one_line_error(run_cli("embeddings", "export", str(trained[0]), out + ".vec"), "choose another")
    assert (tmp_path / "FILE").read_text() == "a file the user made\n"


def test_cli_induce_self_on_the_training_text_with_the_context_step(trained, tmp_path):
    """The earlier exploration's setting (recovery on the LM's own training text), both pipeline
    stages, every band reported; a recovery text the run lacks is a one-line error."""
    out = tmp_path / "rec"
    r = run_cli("induce", "self", "--lm", str(trained[0]), "--corpus", "train", "--scramble", "input",
                "--head", "linear", "--init", "random", "--pipeline", "head+context", "--context-rounds", "2",
                "--max-steps", "20", "--out", str(out), "--threads", "1", "--quiet")
    assert r.returncode == 0, r.stderr
    for band in ("10-110", "10-1010", "freq5", "all"):
        assert f"| {band} |" in r.stdout
    report = (out / "report.md").read_text()
    assert "LM's own training text" in report and "before the frozen LM re-read the text" in report
    bare = tmp_path / "lm-without-splits"
    shutil.copytree(trained[0], bare)
    (bare / "data" / "valid.npy").unlink()
    one_line_error(run_cli("induce", "self", "--lm", str(bare), "--max-steps", "5", "--out", str(tmp_path / "no")),
                   "no valid split")
    assert not (tmp_path / "no").exists()  # a refused run leaves no half-made run directory


def test_cli_cross_orthography_flags_and_confidence_line(pair, tmp_path):
    base = ["induce", "cross", "--src", "xa", "--tgt", "xb", "--src-corpus", str(pair / "a.txt"),
            "--tgt-corpus", str(pair / "b.txt"), "--dictionary", str(pair / "dict.txt"), "--top", "100", "--quiet"]
    r = run_cli(*base, "--method", "incontext", "--candidates", "coocmap", "--no-orthography", "--spelling-weight",
                "0.5", "--out", str(tmp_path / "run"))
    assert r.returncode == 0, r.stderr
    assert "P@1" in r.stdout and ("confidence:" in r.stdout + r.stderr or "warning:" in r.stdout + r.stderr)
    one_line_error(run_cli(*base, "--method", "coocmap", "--orthography", "--out", str(tmp_path / "o")),
                   "share almost no letters")
    r = run_cli(*base, "--method", "incontext", "--candidates", "coocmap", "--tgt-lm", str(pair / "lm-b"),
                "--out", str(tmp_path / "neural"))
    assert r.returncode == 0, r.stderr
    assert '"lm": "neural"' in (tmp_path / "neural" / "metrics.json").read_text()


def test_generate_says_when_no_prompt_word_is_known(trained):
    r = run_cli("lm", "generate", str(trained[0]), "zzzz qqqq", "-n", "3")
    assert r.returncode == 0 and "no word of the prompt is in the LM's vocabulary" in r.stderr


def test_atomically_written_files_respect_the_umask(tmp_path):
    import os
    import stat

    from langind.runs import atomic_write_text

    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o644


def test_translate_writes_one_line_per_input_line_and_refuses_bad_input(pair, tmp_path):
    pairs = [line.split() for line in (pair / "dict.txt").read_text().splitlines()]
    (tmp_path / "lex.tsv").write_text("".join(f"{a}\t{b}\t1.0\n" for a, b in pairs))
    src = tmp_path / "src.txt"
    src.write_text("w1 w2 w3\n\nw4 w5 .\n")  # a blank line stays a blank line
    base = ["--lexicon", str(tmp_path / "lex.tsv"), "--tgt-corpus", str(pair / "b.txt"), "--quiet"]
    # the flags' old spellings (--target, --out) still work, as hidden aliases
    r = run_cli("translate", str(src), "--lexicon", str(tmp_path / "lex.tsv"), "--target", str(pair / "b.txt"),
                "--quiet", "--out", str(tmp_path / "out.txt"))
    assert r.returncode == 0, r.stderr
    lines = (tmp_path / "out.txt").read_text().splitlines()
    assert len(lines) == 3 and lines[1] == "" and lines[2].endswith(".") and "v4" in lines[2].lower()
    (tmp_path / "empty.txt").write_text("\n\n")
    one_line_error(run_cli("translate", str(tmp_path / "empty.txt"), *base, "--out-file", str(tmp_path / "e.txt")),
                   "contains only whitespace")
    (tmp_path / "bad.tsv").write_text("w1\tv1\tnot-a-number\n")
    one_line_error(run_cli("translate", str(src), "--lexicon", str(tmp_path / "bad.tsv"), "--tgt-corpus",
                           str(pair / "b.txt"), "--out-file", str(tmp_path / "b.txt")), "is not a number")
    (tmp_path / "rev.tsv").write_text("".join(f"{b}\t{a}\t1.0\n" for a, b in pairs))
    one_line_error(run_cli("translate", str(src), "--lexicon", str(tmp_path / "rev.tsv"), "--tgt-corpus",
                           str(pair / "b.txt"), "--out-file", str(tmp_path / "r.txt")), "other direction")
    assert not (tmp_path / "r.txt").exists() and not (tmp_path / "e.txt").exists()
    # an --out that cannot be written is refused before any translating (a file where its folder should be)
    (tmp_path / "blocker").write_text("")
    one_line_error(run_cli("translate", str(src), *base, "--out-file", str(tmp_path / "blocker" / "o.txt")),
                   "exists and is not a directory")
    one_line_error(run_cli("translate", str(src), *base, "--out-file", str(tmp_path)), "is a directory")
    one_line_error(run_cli("translate", str(src), *base, "--out-file", str(tmp_path / "a.txt"), "--out",
                           str(tmp_path / "b.txt")), "--out is the old name of --out-file")
    one_line_error(run_cli("translate", str(src), "--lexicon", str(tmp_path / "lex.tsv"), "--out-file",
                           str(tmp_path / "c.txt")), "translate needs --tgt-corpus")
