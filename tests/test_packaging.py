"""pyproject.toml: the metadata setuptools reads without deprecation."""

import warnings
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_setuptools_reads_the_project_metadata_without_a_deprecation():
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dist = apply_configuration(Distribution(), PYPROJECT)
    deprecations = [str(w.message) for w in caught if "Deprecat" in w.category.__name__]
    assert deprecations == [], deprecations
    assert dist.metadata.license_expression == "Apache-2.0"  # an SPDX expression, not a TOML table
