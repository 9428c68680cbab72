"""Import shim for larq-zoo 2.3.2 under TensorFlow 2.16 (PyPI venv interpreter).

larq_zoo imports two Keras-2 module paths by the package name `keras`
(`keras.applications.imagenet_utils`, `keras.engine.keras_tensor`). With TF
2.16 the `keras` package is Keras 3 and Keras 2 lives in `tf_keras` (what
TF_USE_LEGACY_KERAS=1 selects for tf.keras and what larq uses), so those two
names are pointed at tf_keras' modules before larq_zoo is imported. Import
this module first: `import larq_zoo_compat; import larq_zoo`.
"""
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

from tf_keras.src.applications import imagenet_utils  # noqa: E402
from tf_keras.src.engine import keras_tensor  # noqa: E402

sys.modules.setdefault("keras.applications.imagenet_utils", imagenet_utils)
sys.modules.setdefault("keras.engine.keras_tensor", keras_tensor)
