"""Every documented CLI flag runs: each command with each of its flags, on tiny inputs.

The scenarios below are data. ``test_every_documented_flag_is_exercised`` reads every command's
options from the CLI itself and fails when one is in no scenario (a new flag without a run fails
here, not in a user's hands); each scenario then runs its commands in order, in-process through
``langind.cli.main`` (the subprocess tests elsewhere check what a shell sees: exit codes, one-line
errors), and fails on a non-zero exit or a traceback.
"""

from __future__ import annotations

import pytest
import typer.main
from test_experiments_demo import DEMO_ARGS

from langind.cli import app, main

PAIR = ["--src", "xa", "--tgt", "xb", "--src-corpus", "{pair}/a.txt", "--tgt-corpus", "{pair}/b.txt",
        "--dictionary", "{pair}/dict.txt", "--threads", "1", "--quiet"]


def _self_dictionary(ctx: dict) -> None:
    """A word → same-word dictionary of the exported vectors (for evaluate / align)."""
    words = [line.split(" ")[0] for line in open(f"{ctx['tmp']}/e.vec", encoding="utf-8").read().splitlines()[1:]]
    with open(f"{ctx['tmp']}/self.txt", "w", encoding="utf-8") as f:
        f.writelines(f"{w} {w}\n" for w in words if w.isalpha())


def _lexicons(ctx: dict) -> None:
    """The planted pair's dictionary as a lexicon (each word's truth first, a decoy second), and
    the same lexicon the wrong way round."""
    pairs = [line.split() for line in open(f"{ctx['pair']}/dict.txt", encoding="utf-8").read().splitlines()]
    with open(f"{ctx['tmp']}/lex.tsv", "w", encoding="utf-8") as f:
        f.write("source\ttarget\tscore\n")
        for i, (a, b) in enumerate(pairs):
            f.write(f"{a}\t{b}\t0.9\n{a}\t{pairs[(i + 1) % len(pairs)][1]}\t0.5\n")
    with open(f"{ctx['tmp']}/reversed.tsv", "w", encoding="utf-8") as f:
        f.writelines(f"{b}\t{a}\t1.0\n" for a, b in pairs)


# scenario → steps: CLI arguments (run, must exit 0), (arguments, exit code), or a set-up callable
SCENARIOS: dict[str, list] = {
    "lm train, then --resume": [
        ["lm", "train", "--corpus", "{toy}", "--out", "{tmp}/lm", "--recipe", "demo", "--epochs", "1", "--minutes", "0.5",
         "--max-steps", "6", "--max-vocab", "40", "--min-freq", "1", "--valid-fraction", "0.1", "--emb-dim", "8",
         "--hidden-dim", "16", "--layers", "1", "--batch-size", "4", "--bptt", "10", "--lr", "0.01",
         "--dropout-scale", "0.5", "--seed", "1", "--threads", "1", "--device", "cpu", "--checkpoint-every", "3",
         "--no-lowercase", "--quiet"],
        ["lm", "train", "--resume", "{tmp}/lm", "--quiet"],
    ],
    "a transformer LM: train, resume, eval, generate, wipe and recover": [
        ["lm", "train", "--corpus", "{toy}", "--out", "{tmp}/tlm", "--arch", "transformer", "--emb-dim", "16",
         "--hidden-dim", "32", "--layers", "2", "--heads", "2", "--context", "8", "--max-steps", "6", "--max-vocab", "40",
         "--min-freq", "1", "--batch-size", "4", "--bptt", "10", "--checkpoint-every", "3", "--threads", "1", "--quiet"],
        ["lm", "train", "--resume", "{tmp}/tlm", "--quiet"],
        ["lm", "eval", "{tmp}/tlm", "--device", "cpu"],
        ["lm", "generate", "{tmp}/tlm", "the dog", "-n", "4", "--seed", "1"],
        ["induce", "self", "--lm", "{tmp}/tlm", "--head", "vector", "--max-steps", "3", "--out", "{tmp}/tself",
         "--threads", "1", "--quiet"],
        (["lm", "train", "--resume", "{tmp}/tlm", "--arch", "lstm", "--quiet"], 2),  # a run resumes as it was trained
        ["lm", "export-hf", "{tmp}/tlm", "{tmp}/hf", "--checkpoint", "last"],
        ["induce", "self", "--lm", "{tmp}/hf", "--corpus", "{toy}", "--max-vocab", "12", "--head", "vector",
         "--max-steps", "3", "--out", "{tmp}/hfself", "--threads", "1", "--quiet"],
    ],
    "lm eval / generate, embeddings export, evaluate, align, data list": [
        ["induce", "methods"],
        ["lm", "eval", "{lm}", "--corpus", "{toy}", "--checkpoint", "last", "--device", "cpu"],
        ["lm", "generate", "{lm}", "the dog", "-n", "5", "--temperature", "1.2", "--top-k", "5", "--seed", "3",
         "--checkpoint", "last"],
        ["embeddings", "export", "{lm}", "{tmp}/e.vec", "--lang", "en", "--checkpoint", "last"],
        _self_dictionary,
        ["evaluate", "{tmp}/e.vec", "{tmp}/e.vec", "--dictionary", "{tmp}/self.txt", "--src", "xa", "--tgt", "xb",
         "--retrieval", "nn", "--top", "30", "--fold-accents", "--csls-k", "3"],
        ["align", "{tmp}/e.vec", "{tmp}/e.vec", "{tmp}/a.vec", "{tmp}/b.vec", "--method", "vecmap", "--top", "30",
         "--seed", "2", "--minutes", "0.05", "--seed-dictionary", "{tmp}/self.txt", "--lexicon", "{tmp}/lex.tsv"],
        ["data", "list"],
    ],
    "induce self, both pipelines": [
        ["induce", "self", "--lm", "{lm}", "--head", "softmax", "--scramble", "input", "--init", "counts", "--corpus",
         "valid", "--max-steps", "8", "--lr", "0.1", "--temperature", "0.5", "--normalize", "--max-text-tokens",
         "2000", "--batch-size", "4", "--bptt", "10", "--seed", "1", "--out", "{tmp}/s1", "--threads", "1",
         "--device", "cpu", "--quiet"],
        ["induce", "self", "--lm", "{lm}", "--head", "vector", "--minutes", "0.03", "--select", "--eval-every", "0.5",
         "--pipeline", "head+context", "--context-rounds", "1", "--corpus", "train", "--out", "{tmp}/s2",
         "--threads", "1", "--quiet"],
        ["induce", "self", "--lm", "{lm}", "--head", "sinkhorn-sparse", "--sparse-k", "8", "--penalty", "l1-l2",
         "--penalty-weight", "0.01", "--scramble", "both", "--max-steps", "6", "--max-text-tokens", "2000",
         "--out", "{tmp}/s3", "--threads", "1", "--quiet"],
        ["induce", "self", "--lm", "{lm}", "--head", "sinkhorn-lowrank", "--sparse-k", "8", "--scramble", "both",
         "--init", "counts", "--max-steps", "6", "--max-text-tokens", "2000", "--out", "{tmp}/s6", "--threads", "1",
         "--quiet"],
        ["induce", "self", "--lm", "{lm}", "--head", "linear", "--row-update", "--scramble", "input", "--init", "random",
         "--lr-schedule", "linear", "--precision", "bfloat16", "--max-steps", "4", "--max-text-tokens", "2000", "--out", "{tmp}/s5",
         "--threads", "1", "--quiet"],
        # a right-to-left LM of the toy language reads the decoded text backwards in the context stage
        ["lm", "train", "--corpus", "reversed:{toy}", "--out", "{tmp}/rlm", "--emb-dim", "8", "--hidden-dim", "16",
         "--max-steps", "3", "--threads", "1", "--quiet"],
        ["induce", "self", "--lm", "{lm}", "--right-lm", "{tmp}/rlm", "--head", "vector", "--max-steps", "3",
         "--pipeline", "head+context", "--context-rounds", "1", "--corpus", "train", "--out", "{tmp}/s7",
         "--threads", "1", "--quiet"],
        # an option the head does not take: one line, exit 2
        (["induce", "self", "--lm", "{lm}", "--head", "vector", "--penalty", "l1-l2", "--max-steps", "2",
          "--out", "{tmp}/s4", "--quiet"], 2),
    ],
    "induce cross, the LM methods": [
        ["induce", "cross", "--method", "joint-lm", *PAIR, "--minutes", "0.05", "--epochs", "1", "--max-vocab", "60",
         "--top", "40", "--seed", "1", "--out", "{tmp}/joint"],
        ["induce", "cross", "--method", "hybrid", *PAIR, "--init-lexicon", "{tmp}/joint/lexicon.xa-xb.tsv",
         "--tgt-lm", "{pair}/lm-b", "--anchor", "0.1", "--minutes", "0.05", "--out", "{tmp}/hybrid"],
        ["induce", "cross", "--method", "swap", *PAIR, "--tgt-lm", "{pair}/lm-b", "--lm-minutes", "0.05",
         "--minutes", "0.05", "--out", "{tmp}/swap"],
        ["induce", "cross", "--method", "swap", *PAIR, "--tgt-lm", "{pair}/lm-b", "--src-lm", "{tmp}/swap/lm-xa",
         "--minutes", "0.05", "--out", "{tmp}/swap2"],
        # a right-to-left LM (trained on the reversed text) beside the left-to-right one, in context
        ["lm", "train", "--corpus", "reversed:{pair}/b.txt", "--out", "{tmp}/lm-rb", "--emb-dim", "8",
         "--hidden-dim", "16", "--max-steps", "3", "--threads", "1", "--quiet"],
        ["induce", "cross", "--method", "incontext", *PAIR, "--tgt-lm", "{pair}/lm-b", "--right-lm", "{tmp}/lm-rb",
         "--top", "40", "--out", "{tmp}/inc-right"],
        # a left-to-right LM given as the right-to-left one is refused in one line
        (["induce", "cross", "--method", "incontext", *PAIR, "--tgt-lm", "{pair}/lm-b", "--right-lm", "{pair}/lm-b",
          "--top", "40", "--out", "{tmp}/inc-wrong"], 2),
    ],
    "induce cross, the aligners": [
        ["induce", "cross", "--method", "coocmap", *PAIR, "--window", "2", "--no-orthography", "--top", "40",
         "--core", "20", "--device", "cpu", "--out", "{tmp}/cooc"],
        ["induce", "cross", "--method", "incontext", *PAIR, "--candidates", "coocmap", "--spelling-weight", "0.5",
         "--top", "40", "--out", "{tmp}/inc"],
        # the default pipeline, named: coocmap-grow (then coocmap-drop), re-ranked in context or spelling alone
        ["induce", "cross", "--method", "auto", *PAIR, "--top", "40", "--out", "{tmp}/auto"],
        # the frequent words deciphered by the target bigram, fully unsupervised here
        ["induce", "cross", "--method", "cipher", *PAIR, "--no-orthography", "--top", "40", "--signature-weight", "0.3",
         "--out", "{tmp}/cipher"],
        # two "scripts" (w0… vs v0…): --orthography insists, and is refused in one line
        (["induce", "cross", "--method", "coocmap", *PAIR, "--orthography", "--top", "40", "--out", "{tmp}/o"], 2),
    ],
}
SCENARIOS["translate"] = [
    _lexicons,
    ["translate", "{pair}/a.txt", "--lexicon", "{tmp}/lex.tsv", "--tgt-corpus", "{pair}/b.txt", "--out-file", "{tmp}/t.txt",
     "--k", "2", "--no-swaps", "--no-insertions", "--quiet"],
    ["translate", "{pair}/a.txt", "--lexicon", "{tmp}/lex.tsv", "--tgt-corpus", "{pair}/b.txt", "--out-file", "{tmp}/w.txt",
     "--swaps", "--insertions", "--word-by-word"],
    ["translate", "{pair}/a.txt", "--lexicon", "{tmp}/lex.tsv", "--tgt-corpus", "{pair}/b.txt", "--out-file", "{tmp}/n.txt",
     "--tgt-lm", "{pair}/lm-b", "--quiet"],
    # an LM of the source language is refused
    ["lm", "train", "--corpus", "{pair}/a.txt", "--out", "{tmp}/lm-a", "--emb-dim", "8", "--hidden-dim", "16",
     "--max-steps", "3", "--threads", "1", "--quiet"],
    (["translate", "{pair}/a.txt", "--lexicon", "{tmp}/lex.tsv", "--tgt-corpus", "{pair}/b.txt", "--out-file", "{tmp}/x.txt",
      "--tgt-lm", "{tmp}/lm-a", "--quiet"], 2),
    # a lexicon of the other direction stops before anything is written
    (["translate", "{pair}/a.txt", "--lexicon", "{tmp}/reversed.tsv", "--tgt-corpus", "{pair}/b.txt", "--out-file",
      "{tmp}/r.txt"], 2),
]
ELSEWHERE = {"demo": [["demo", "--out", "DIR", *DEMO_ARGS]]}  # run by tests/test_experiments_demo.py


def _walk(cmd, path=()):
    """Every command and group of the CLI with its path: ((), app), (("lm",), lm), (("lm", "train"), …), …"""
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _walk(sub, path + (name,))


def _commands():
    """{"lm train": {"--corpus", ...}, ...}: every command of the CLI and its documented options."""
    return {" ".join(path): {o for p in cmd.params if p.param_type_name == "option" and not p.hidden
                             for o in (*p.opts, *p.secondary_opts)}
            for path, cmd in _walk(typer.main.get_command(app)) if not hasattr(cmd, "commands")}


def _args_of(step) -> list[str] | None:
    return step if isinstance(step, list) else step[0] if isinstance(step, tuple) else None


def test_every_documented_flag_is_exercised():
    commands = _commands()
    used = {name: set() for name in commands}
    for steps in [*SCENARIOS.values(), *ELSEWHERE.values()]:
        for args in filter(None, map(_args_of, steps)):
            name = next(n for n in sorted(commands, key=len, reverse=True) if args[:len(n.split())] == n.split())
            used[name] |= {a for a in args if a.startswith("-")}
    missing = {name: sorted(flags - used[name]) for name, flags in commands.items() if flags - used[name]}
    assert not missing, f"flags no test runs: {missing}"
    assert not [n for n, u in used.items() if not u and commands[n]], "a command with options is never run"


def test_every_help_text_fits_two_lines():
    """One short line or two of 80 columns per option, command and sub-command (the vecmap anchor: one-line help)."""
    import click

    every = list(_walk(typer.main.get_command(app)))
    long = [(" ".join(path), p.name, len(p.help or "")) for path, c in every for p in getattr(c, "params", [])
            if isinstance(p, click.Option) and len(p.help or "") > 160]
    long += [(" ".join(path), "(command)", len(c.short_help or (c.help or "").split("\n\n")[0]))
             for path, c in every if path and len(c.short_help or (c.help or "").split("\n\n")[0]) > 160]
    assert not long, f"help texts longer than two lines: {long}"


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_scenario_runs(scenario, trained, pair, toy_corpus, tmp_path, capsys):
    ctx = {"tmp": str(tmp_path), "lm": str(trained[0]), "pair": str(pair), "toy": str(toy_corpus)}
    for step in SCENARIOS[scenario]:
        if callable(step):
            step(ctx)
            continue
        args, expected = (step, 0) if isinstance(step, list) else step
        code = main([a.format(**ctx) for a in args])
        out = capsys.readouterr()
        assert code == expected, (args[:3], code, out.err[-1500:])
        assert "Traceback" not in out.err, out.err[-1500:]
