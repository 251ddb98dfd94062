#!/usr/bin/python3
"""Writes the one-node ONNX models the quantize-linear suite runs in onnxruntime-node.

Run with Debian's python3-onnx (apt-get install python3-onnx): /usr/bin/python3 make_models.py
The .onnx files are committed; this script records how they were made.

  quantize_linear.onnx    y:int8[n]    = QuantizeLinear(x:float32[n], scale:float32[], zero_point:int8[])
  dequantize_linear.onnx  y:float32[n] = DequantizeLinear(x:int8[n], scale:float32[], zero_point:int8[])

Scale and zero point are graph inputs (not initializers) so the suite feeds exactly the values it
gives quanta. Opset 13 (per tensor and per axis) is all the suite needs.
"""
import os

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 13


def one_node(op, x_type, y_type):
    node = helper.make_node(op, ["x", "scale", "zero_point"], ["y"])
    graph = helper.make_graph(
        [node],
        op,
        [
            helper.make_tensor_value_info("x", x_type, ["n"]),
            helper.make_tensor_value_info("scale", TensorProto.FLOAT, []),
            helper.make_tensor_value_info("zero_point", TensorProto.INT8, []),
        ],
        [helper.make_tensor_value_info("y", y_type, ["n"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="quanta-bench")
    model.ir_version = 7  # readable by every onnxruntime since 1.6
    onnx.checker.check_model(model)
    return model


def main():
    for name, op, x_type, y_type in [
        ("quantize_linear.onnx", "QuantizeLinear", TensorProto.FLOAT, TensorProto.INT8),
        ("dequantize_linear.onnx", "DequantizeLinear", TensorProto.INT8, TensorProto.FLOAT),
    ]:
        path = os.path.join(HERE, name)
        onnx.save(one_node(op, x_type, y_type), path)
        print(f"wrote {path} (onnx {onnx.__version__}, opset {OPSET})")


if __name__ == "__main__":
    main()
