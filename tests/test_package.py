"""Package metadata and build configuration visible to users."""
import importlib.metadata

import cact


def test_version_matches_the_distribution():
    assert cact.__version__ == importlib.metadata.version("cact")


def test_show_config_reports_version_openmp_threads_and_simd(capsys):
    cact.show_config()
    text = capsys.readouterr().out
    assert f"cact {cact.__version__}" in text
    assert "openmp compiled in:" in text and "threads:" in text and "SIMD kernels in use:" in text


def test_every_public_name_is_importable_from_cact():
    for name in ["sigmoid", "relu", "leaky_relu", "elu", "gelu", "prelu", "softmax"]:
        assert callable(getattr(cact, name)) and callable(getattr(cact, name + "_grad"))
    assert callable(cact.get_num_threads) and callable(cact.set_num_threads)
