"""Issue 17, step 1 of BENCHMARKS.md "What was tried": an int8 export of the exporter at e68c035
(uint8 weights, zero point 128) rewritten with signed weights (value - 128, zero point 0), the
integer products unchanged, to time uint8 x int8 against uint8 x uint8.

Usage: python int8_signed_weights.py OLD_INT8_FOLDER OUT_FOLDER  (then ort_profile.py OUT_FOLDER model_k3.onnx 1)
"""
import onnx, numpy as np, sys, os, shutil
from onnx import numpy_helper, helper, TensorProto
src, dst = sys.argv[1], sys.argv[2]
shutil.copytree(src, dst, dirs_exist_ok=True)
m = onnx.load(f"{src}/model_k3.onnx", load_external_data=True)
g = m.graph
for i, t in enumerate(g.initializer):
    if t.name.endswith(".quantized"):
        a = numpy_helper.to_array(t).astype(np.int16) - 128
        g.initializer[i].CopyFrom(numpy_helper.from_array(a.astype(np.int8), t.name))
for n in g.node:
    if n.op_type == "Constant" and "weight_zero_point" in n.output[0]:
        n.attribute[0].t.CopyFrom(numpy_helper.from_array(np.array(0, dtype=np.int8), n.output[0]))
for t in g.initializer:
    if "weight_zero_point" in t.name:
        t.CopyFrom(numpy_helper.from_array(np.array(0, dtype=np.int8), t.name))
onnx.save(m, f"{dst}/model_k3.onnx", save_as_external_data=True, all_tensors_to_one_file=True, location="weights_signed.bin")
onnx.checker.check_model(f"{dst}/model_k3.onnx", full_check=True)
print("ok")
