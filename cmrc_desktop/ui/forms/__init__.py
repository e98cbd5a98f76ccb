"""Generated from ``ui/*.ui`` by ``build_spec/compile_forms.py``; do not edit.
Each module holds one ``Ui_<Form>`` class; windows keep it as ``self.ui``."""
