# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'package_import_dialog.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QMetaObject, Qt)
from PySide6.QtWidgets import (QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QSpacerItem, QVBoxLayout, QWidget)

from cmrc_desktop.i18n import _

class Ui_PackageImportDialog(object):
    def setupUi(self, PackageImportDialog):
        if not PackageImportDialog.objectName():
            PackageImportDialog.setObjectName(u"PackageImportDialog")
        PackageImportDialog.resize(620, 400)
        self.dialog_layout = QVBoxLayout(PackageImportDialog)
        self.dialog_layout.setSpacing(12)
        self.dialog_layout.setObjectName(u"dialog_layout")
        self.intro_label = QLabel(PackageImportDialog)
        self.intro_label.setObjectName(u"intro_label")
        self.intro_label.setWordWrap(True)

        self.dialog_layout.addWidget(self.intro_label)

        self.form_layout = QFormLayout()
        self.form_layout.setObjectName(u"form_layout")
        self.form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.package_label = QLabel(PackageImportDialog)
        self.package_label.setObjectName(u"package_label")

        self.form_layout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.package_label)

        self.package_layout = QHBoxLayout()
        self.package_layout.setObjectName(u"package_layout")
        self.package_edit = QLineEdit(PackageImportDialog)
        self.package_edit.setObjectName(u"package_edit")
        self.package_edit.setPlaceholderText(u"*.cmrcpkg")

        self.package_layout.addWidget(self.package_edit)

        self.package_button = QPushButton(PackageImportDialog)
        self.package_button.setObjectName(u"package_button")

        self.package_layout.addWidget(self.package_button)


        self.form_layout.setLayout(0, QFormLayout.ItemRole.FieldRole, self.package_layout)

        self.folder_label = QLabel(PackageImportDialog)
        self.folder_label.setObjectName(u"folder_label")

        self.form_layout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.folder_label)

        self.folder_layout = QHBoxLayout()
        self.folder_layout.setObjectName(u"folder_layout")
        self.folder_edit = QLineEdit(PackageImportDialog)
        self.folder_edit.setObjectName(u"folder_edit")

        self.folder_layout.addWidget(self.folder_edit)

        self.folder_button = QPushButton(PackageImportDialog)
        self.folder_button.setObjectName(u"folder_button")

        self.folder_layout.addWidget(self.folder_button)


        self.form_layout.setLayout(1, QFormLayout.ItemRole.FieldRole, self.folder_layout)

        self.one_time_label = QLabel(PackageImportDialog)
        self.one_time_label.setObjectName(u"one_time_label")

        self.form_layout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.one_time_label)

        self.one_time_edit = QLineEdit(PackageImportDialog)
        self.one_time_edit.setObjectName(u"one_time_edit")
        self.one_time_edit.setPlaceholderText(u"XXXX-XXXX-XXXX")

        self.form_layout.setWidget(2, QFormLayout.ItemRole.FieldRole, self.one_time_edit)

        self.password_label = QLabel(PackageImportDialog)
        self.password_label.setObjectName(u"password_label")

        self.form_layout.setWidget(3, QFormLayout.ItemRole.LabelRole, self.password_label)

        self.password_edit = QLineEdit(PackageImportDialog)
        self.password_edit.setObjectName(u"password_edit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)

        self.form_layout.setWidget(3, QFormLayout.ItemRole.FieldRole, self.password_edit)

        self.confirm_label = QLabel(PackageImportDialog)
        self.confirm_label.setObjectName(u"confirm_label")

        self.form_layout.setWidget(4, QFormLayout.ItemRole.LabelRole, self.confirm_label)

        self.confirm_edit = QLineEdit(PackageImportDialog)
        self.confirm_edit.setObjectName(u"confirm_edit")
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)

        self.form_layout.setWidget(4, QFormLayout.ItemRole.FieldRole, self.confirm_edit)


        self.dialog_layout.addLayout(self.form_layout)

        self.error_label = QLabel(PackageImportDialog)
        self.error_label.setObjectName(u"error_label")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.dialog_layout.addWidget(self.error_label)

        self.bottom_spacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.dialog_layout.addItem(self.bottom_spacer)

        self.button_box = QDialogButtonBox(PackageImportDialog)
        self.button_box.setObjectName(u"button_box")
        self.button_box.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Ok)

        self.dialog_layout.addWidget(self.button_box)

#if QT_CONFIG(shortcut)
        self.package_label.setBuddy(self.package_edit)
        self.folder_label.setBuddy(self.folder_edit)
        self.one_time_label.setBuddy(self.one_time_edit)
        self.password_label.setBuddy(self.password_edit)
        self.confirm_label.setBuddy(self.confirm_edit)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.package_edit, self.package_button)
        QWidget.setTabOrder(self.package_button, self.folder_edit)
        QWidget.setTabOrder(self.folder_edit, self.folder_button)
        QWidget.setTabOrder(self.folder_button, self.one_time_edit)
        QWidget.setTabOrder(self.one_time_edit, self.password_edit)
        QWidget.setTabOrder(self.password_edit, self.confirm_edit)

        self.retranslateUi(PackageImportDialog)

        QMetaObject.connectSlotsByName(PackageImportDialog)
    # setupUi

    def retranslateUi(self, PackageImportDialog):
        PackageImportDialog.setWindowTitle(_("Import panel package"))
        self.intro_label.setText(_("The secretary gave you a panel package (.cmrcpkg) and, separately, its one-time password. Importing checks the package's signature and every file in it, then creates your expert workspace. Choose a new password of your own: it protects your signing key from now on."))
        self.package_label.setText(_("Panel &package:"))
        self.package_button.setText(_("Choose\u2026"))
        self.folder_label.setText(_("&Workspace folder:"))
        self.folder_edit.setPlaceholderText(_("an empty or new folder"))
        self.folder_button.setText(_("Choose\u2026"))
        self.one_time_label.setText(_("&One-time password:"))
        self.password_label.setText(_("&New password:"))
        self.confirm_label.setText(_("&Repeat password:"))
    # retranslateUi

