"""Runs one attention with its mask in each form and compares the results.

  mask_forms.py INPUT_DIR ACCEL_JSON WORK_DIR

INPUT_DIR holds q.npy, k.npy, v.npy and mask.npy. For each mask form
(additive, bits, lengths) it compiles the attention with hdp-sim --compile
--mask --mask-form=FORM, simulates it, and prints per form whether the
outputs (out, block mask, head mask, theta_H) equal the additive form's bit
for bit, whether the mask moved fewer DRAM bytes, and the form the
statistics name.
"""

import json
import os
import subprocess
import sys

import numpy as np

in_dir, accel, work = sys.argv[1:4]
q = np.load(os.path.join(in_dir, "q.npy"))
k = np.load(os.path.join(in_dir, "k.npy"))
v = np.load(os.path.join(in_dir, "v.npy"))
B, H, N, D = q.shape
shape = f"{B},{H},{N},{k.shape[2]},{D},{v.shape[3]}"
names = ("out", "block_mask", "head_mask", "theta_h")
results = {}
for form in ("additive", "bits", "lengths"):
    d = os.path.join(work, form)
    os.makedirs(d, exist_ok=True)
    prog = os.path.join(d, "p.hdpc")
    subprocess.run(["hdp-sim", "--compile", f"--shape={shape}", "--mask",
                    f"--mask-form={form}", "--attention-config=#hdp.config<rho = 0.2>",
                    f"--accel-config={accel}", "-o", prog], check=True)
    subprocess.run(["hdp-sim", prog, f"--accel-config={accel}"]
                   + [f"--input=@{os.path.join(in_dir, n + '.npy')}"
                      for n in ("q", "k", "v", "mask")]
                   + [f"--output=@{os.path.join(d, n + '.npy')}" for n in names]
                   + [f"--stats={os.path.join(d, 'stats.json')}"], check=True)
    with open(os.path.join(d, "stats.json")) as f:
        stats = json.load(f)
    results[form] = ({n: np.load(os.path.join(d, n + ".npy")) for n in names},
                     stats["dram"]["bytes_by_tensor"]["mask"],
                     stats["shape"]["mask_form"])
base, base_bytes, _ = results["additive"]
for form in ("bits", "lengths"):
    arrays, mask_bytes, named = results[form]
    same = all(np.array_equal(arrays[n], base[n]) for n in names)
    print(form, "identical" if same else "different",
          "fewer mask bytes" if mask_bytes < base_bytes else "as many mask bytes",
          named)
