"""setuptools glue for `pip install .`: build libfracbnn's shared library with
CMake and bundle it into the fracbnn package (python/fracbnn/libfracbnn.so).

FRACBNN_NO_BUNDLE=1 skips the C build: the package then loads an installed
libfracbnn (ctypes.util.find_library) or the one named by FRACBNN_LIBRARY.
"""
import os
import re
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

ROOT = os.path.dirname(os.path.abspath(__file__))


def version():
    with open(os.path.join(ROOT, "include", "fracbnn", "fracbnn.h")) as f:
        return re.search(r'#define FBNN_VERSION_STRING "([^"]+)"', f.read()).group(1)


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        if os.environ.get("FRACBNN_NO_BUNDLE") == "1":
            return
        bdir = os.path.join(os.path.abspath(self.build_lib), "..", "cmake-fracbnn")
        subprocess.check_call(["cmake", "-S", ROOT, "-B", bdir, "-DCMAKE_BUILD_TYPE=Release", "-DFBNN_BUILD_CLI=OFF",
                               "-DFBNN_BUILD_TESTS=OFF", "-DFBNN_BUILD_BENCH=OFF", "-DFBNN_PYTHON=OFF"])
        subprocess.check_call(["cmake", "--build", bdir, "--target", "fracbnn_shared", "-j2"])
        so = os.path.join(bdir, "libfracbnn.so.%s" % version().split(".")[0])
        shutil.copyfile(so, os.path.join(self.build_lib, "fracbnn", "libfracbnn.so"))


class PlatformDistribution(Distribution):
    def has_ext_modules(self):  # the wheel holds a native library: tag it for this platform
        return True


setup(version=version(), cmdclass={"build_py": BuildWithLibrary}, distclass=PlatformDistribution)
