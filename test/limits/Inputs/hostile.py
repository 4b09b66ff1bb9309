"""Runs every tool on a catalogue of hostile inputs and checks the limits
policy (docs/limits.md) on each: exit status 1, exactly one error line on
stderr (MLIR's own diagnostics: the line and its source excerpt), nothing on
stdout, no file left in the output directory, and under 5 s of CPU time and
200 MB of peak memory (in sanitizer builds too: every input is refused long
before the instrumentation's cost shows).

  hostile.py WORKDIR [--only NAME]

Prints one line per case ("ok NAME: 0.12 s, 93 MB") and a summary; exits 1
if any case breaks the policy.
"""

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
EDGE = os.path.join(REPO, "configs", "hdp-edge.json")
BERT = os.path.join(REPO, "models", "tinystories-bert-mlm")
STORIES = os.path.join(REPO, "models", "tinystories-260K")
CPU_SECONDS = 5.0
PEAK_MB = 200.0
TOOL_ERROR = re.compile(r"^hdp-(run|sim|compile|eval|opt|translate): error: \S")
MLIR_ERROR = re.compile(r"^\S+:\d+:\d+: error: ")


def npy(path, shape, fill=0.25):
    np.save(path, np.full(shape, fill, dtype=np.float32))


def npy_header(path, header, data=b""):
    """A .npy file with a hand-written header dictionary."""
    text = header.encode()
    pad = 64 - (10 + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + data)


def bert_dir(path, config=None, safetensors=None):
    """A BERT directory: the bundled model with one file replaced."""
    os.makedirs(path)
    for name in ("config.json", "model.safetensors", "vocab.txt"):
        os.symlink(os.path.join(BERT, name), os.path.join(path, name))
    for name, content in (("config.json", config), ("model.safetensors", safetensors)):
        if content is not None:
            os.remove(os.path.join(path, name))
            with open(os.path.join(path, name), "wb") as f:
                f.write(content)


def make_inputs(d):
    """Writes the inputs of every case into directory d."""
    npy(f"{d}/q.npy", (1, 1, 4, 8))
    npy(f"{d}/k.npy", (1, 1, 4, 8))
    npy(f"{d}/v.npy", (1, 1, 4, 8))
    # 3.6 MB of input whose output [1,1,300000,700000] would need 782 GiB.
    npy(f"{d}/q-long.npy", (1, 1, 300000, 1))
    npy(f"{d}/k-one.npy", (1, 1, 1, 1))
    npy(f"{d}/v-wide.npy", (1, 1, 1, 700000))
    # .npy headers that lie about the data.
    npy_header(f"{d}/npy-huge-shape.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1073741824, 1073741824), }")
    npy_header(f"{d}/npy-overflow.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296, 2), }")
    npy_header(f"{d}/npy-short.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 4, 8), }", b"\0" * 12)
    npy_header(f"{d}/npy-deep.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': " + "(" * 5000 + ")" * 5000 + ", }")
    with open(f"{d}/npy-garbage.npy", "wb") as f:
        f.write(b"\x93NUMPY\x01\x00\xff\xff" + b"{" * 100)
    # Accelerator configurations.
    with open(EDGE) as f:
        edge = f.read()
    with open(f"{d}/accel-deep.json", "w") as f:
        f.write('{"a":' * 50000 + "1" + "}" * 50000)
    with open(f"{d}/accel-deep-array.json", "w") as f:
        f.write("[" * 120000 + "]" * 120000)
    doc = json.loads(edge)
    with open(f"{d}/accel-duplicate.json", "w") as f:
        body = json.dumps(doc, indent=1)
        f.write(body.replace("{", '{\n "clock_mhz": 250,', 1))
    tiny = dict(doc)
    # A cycle count no clock can reach: 1e-200 bytes per cycle.
    text = json.dumps(tiny)
    with open(f"{d}/accel-slow-dram.json", "w") as f:
        f.write(re.sub(r'("bytes_per_cycle":\s*)[0-9.e+-]+', r"\g<1>1e-200", text, count=1))
    # Command streams: a real program, then damaged.
    prog = f"{d}/p.hdpc"
    subprocess.run(["hdp-sim", "--compile", "--shape=1,1,4,4,8", "--attention-config=#hdp.config<rho = 0.3>",
                    f"--accel-config={EDGE}", "-o", prog], check=True)
    data = bytearray(open(prog, "rb").read())
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0x5A
    open(f"{d}/p-flipped.hdpc", "wb").write(flipped)
    open(f"{d}/p-truncated.hdpc", "wb").write(data[: len(data) // 3])
    # A llama2.c checkpoint whose header asks for 2^20 layers of 2^20 dims.
    with open(f"{d}/huge.bin", "wb") as f:
        f.write(struct.pack("<7i", 1 << 20, 1 << 20, 1 << 20, 8, 8, 512, 1 << 20) + b"\0" * 64)
    with open(f"{d}/tok-bad.bin", "wb") as f:
        f.write(struct.pack("<i", 2**31 - 1) + struct.pack("<fi", 0.0, 2**31 - 1) + b"ab")
    # BERT directories.
    bert_dir(f"{d}/bert-deep-config", config=b'{"a":' * 40000 + b"1" + b"}" * 40000)
    with open(os.path.join(BERT, "config.json")) as f:
        cfg = json.load(f)
    bad = dict(cfg, num_attention_heads=7)
    bert_dir(f"{d}/bert-bad-heads", config=json.dumps(bad).encode())
    bert_dir(f"{d}/bert-header-length", safetensors=struct.pack("<Q", 1 << 60) + b"{}")
    bert_dir(f"{d}/bert-deep-header", safetensors=struct.pack("<Q", 160000) + b"[" * 80000 + b"]" * 80000)
    # MLIR text.
    with open(f"{d}/deep-regions.mlir", "w") as f:
        f.write("func.func @f() {\n" + '"test.op"() ({\n' * 6000 + "}) : () -> ()\n" * 6000 + "return\n}\n")
    with open(f"{d}/malformed.mlir", "w") as f:
        f.write("func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n  return %a : tensor<4\n")
    with open(f"{d}/text.txt", "w") as f:
        f.write("Once upon a time there was a cat.\n")


def cases(d, out):
    """(name, argv, stderr format) for every hostile input."""
    qkv = [f"--input=@{d}/q.npy", f"--input=@{d}/k.npy", f"--input=@{d}/v.npy"]
    run = ["hdp-run", "--attention", f"--accel-config={EDGE}"]
    o = f"--output=@{out}/o.npy"
    eval_llama = ["hdp-eval", f"--model={STORIES}/stories260K.bin", f"--tokenizer={STORIES}/tok512.bin",
                  f"--text={d}/text.txt"]
    for backend in ("reference", "cpu", "sim"):
        b = f"--backend={backend}"
        yield f"block-too-large-{backend}", run + [b, "--config=#hdp.config<block = [16385, 1]>"] + qkv + [o], "tool"
        yield f"output-too-large-{backend}", run + [b, f"--input=@{d}/q-long.npy", f"--input=@{d}/k-one.npy",
                                                    f"--input=@{d}/v-wide.npy", o], "tool"
        yield f"scale-inf-as-f32-{backend}", run + [b, "--config=#hdp.config<scale = 5.0e38>"] + qkv + [o], "tool"
    # The .npy reader is the same for every backend.
    for bad in ("huge-shape", "overflow", "short", "deep", "garbage"):
        yield (f"npy-{bad}", run + ["--backend=cpu", f"--input=@{d}/npy-{bad}.npy", f"--input=@{d}/k.npy",
                                   f"--input=@{d}/v.npy", o], "tool")
    yield "compile-block-too-large", ["hdp-compile", "--shape=1,1,8,8,4", "--config=#hdp.config<block = [2, 99999]>",
                                      "-o", f"{out}/a.o", f"--header={out}/a.h"], "tool"
    yield "compile-bytes-overflow", ["hdp-compile", "--shape=1,2,3037000500,3037000500,1", "-o", f"{out}/a.o",
                                     f"--header={out}/a.h"], "tool"
    yield "compile-header-uncreatable", ["hdp-compile", "--shape=1,1,8,8,4", "-o", f"{out}/a.o",
                                         f"--header={out}/missing/a.h"], "tool"
    yield "sim-stats-with-failing-output", run + ["--backend=sim", f"--sim-stats={out}/s.json"] + qkv + [
        f"--output=@{out}/missing/o.npy"], "tool"
    yield "same-output-twice", run + ["--backend=reference"] + qkv + [o, f"--output=@{out}/../out/o.npy"], "tool"
    for name in ("deep", "deep-array", "duplicate", "slow-dram"):
        yield f"accel-{name}", ["hdp-sim", "--print-accel-config", f"--accel-config={d}/accel-{name}.json"], "tool"
    yield "accel-deep-run", run + ["--backend=sim", f"--accel-config={d}/accel-deep.json"] + qkv + [o], "tool"
    yield "set-dram-1e-250", ["hdp-sim", "--print-accel-config", f"--accel-config={EDGE}",
                              "--set=dram.bytes_per_cycle=1e-250"], "tool"
    yield "set-clock-1e-280", ["hdp-sim", "--print-accel-config", f"--accel-config={EDGE}",
                               "--set=clock_mhz=1e-280"], "tool"
    for name in ("flipped", "truncated"):
        yield f"hdpc-{name}", ["hdp-sim", f"{d}/p-{name}.hdpc", f"--accel-config={EDGE}"] + qkv + [o], "tool"
        yield f"hdpc-{name}-translate", ["hdp-translate", "--hdpc-to-hdp", f"{d}/p-{name}.hdpc",
                                         "-o", f"{out}/p.mlir"], "tool"
    yield "checkpoint-huge", ["hdp-eval", f"--model={d}/huge.bin", f"--tokenizer={STORIES}/tok512.bin",
                              f"--text={d}/text.txt"], "tool"
    yield "tokenizer-bad", ["hdp-eval", f"--model={STORIES}/stories260K.bin", f"--tokenizer={d}/tok-bad.bin",
                            f"--text={d}/text.txt"], "tool"
    yield "eval-config-block", eval_llama + ["--config=#hdp.config<block = [40000, 2]>"], "tool"
    for name in ("deep-config", "bad-heads", "header-length", "deep-header"):
        yield f"bert-{name}", ["hdp-eval", f"--model={d}/bert-{name}", f"--text={d}/text.txt"], "tool"
    yield "ir-deep-regions-opt", ["hdp-opt", "--allow-unregistered-dialect", f"{d}/deep-regions.mlir",
                                  "-o", f"{out}/x.mlir"], "tool"
    yield "ir-deep-regions-run", ["hdp-run", f"{d}/deep-regions.mlir", "--function=f"] + qkv + [o], "tool"
    yield "ir-malformed-opt", ["hdp-opt", f"{d}/malformed.mlir", "-o", f"{out}/x.mlir"], "mlir"


def run_case(argv, form, out):
    """Runs one case; returns (problems, CPU seconds, peak MB)."""
    with open(os.path.join(out, "..", "stdout"), "w+b") as so, open(os.path.join(out, "..", "stderr"), "w+b") as se:
        proc = subprocess.Popen(argv, stdout=so, stderr=se)
        # wait4: this child's own CPU time and peak memory.
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        stdout, stderr = so.read(), se.read()
    cpu = usage.ru_utime + usage.ru_stime
    mb = usage.ru_maxrss / 1024.0
    problems = []
    if proc.returncode != 1:
        problems.append(f"exit status {proc.returncode}, expected 1")
    lines = stderr.decode(errors="replace").splitlines()
    if form == "tool":
        if len(lines) != 1 or not TOOL_ERROR.match(lines[0]):
            problems.append("stderr is not one '<tool>: error: ...' line: " + repr(lines[:4]))
    elif not lines or not MLIR_ERROR.match(lines[0]):
        problems.append("stderr does not start with 'FILE:LINE:COL: error:': " + repr(lines[:4]))
    if stdout:
        problems.append("stdout is not empty: " + repr(stdout[:80]))
    left = sorted(os.listdir(out))
    if left:
        problems.append("files left: " + ", ".join(left))
    return problems, cpu, mb, (lines[0] if lines else "")


def shorten(text, width=160):
    """Runs of one character cut to 8, the line to `width` characters."""
    text = re.sub(r"(.)\1{8,}", lambda m: m.group(1) * 8 + "...", text)
    return text if len(text) <= width else text[: width - 3] + "..."


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workdir")
    p.add_argument("--only")
    args = p.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    inputs = os.path.join(args.workdir, "in")
    out = os.path.join(args.workdir, "out")
    os.makedirs(inputs)
    make_inputs(inputs)
    failed = 0
    total = 0
    worst_cpu = worst_mb = 0.0
    for name, argv, form in cases(inputs, out):
        if args.only and name != args.only:
            continue
        total += 1
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        problems, cpu, mb, message = run_case(argv, form, out)
        if cpu > CPU_SECONDS:
            problems.append(f"{cpu:.2f} s of CPU time, limit {CPU_SECONDS} s")
        if mb > PEAK_MB:
            problems.append(f"{mb:.0f} MB peak memory, limit {PEAK_MB:.0f} MB")
        worst_cpu, worst_mb = max(worst_cpu, cpu), max(worst_mb, mb)
        status = "ok" if not problems else "FAIL"
        print(f"{status} {name}: {cpu:.2f} s, {mb:.0f} MB: {shorten(message)}")
        for problem in problems:
            print(f"    {problem}")
            print(f"    command: {' '.join(argv)}")
        failed += bool(problems)
    print(f"{total - failed} of {total} hostile inputs handled as docs/limits.md says "
          f"(worst {worst_cpu:.2f} s CPU, {worst_mb:.0f} MB peak)")
    return 1 if failed or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
