# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'main_window.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QMetaObject, QSize, Qt)
from PySide6.QtGui import (QAction)
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QLabel, QListWidget, QMenu, QMenuBar, QPushButton, QSizePolicy, QSpacerItem, QSplitter, QStackedWidget, QStatusBar, QToolBar, QVBoxLayout, QWidget)

from cmrc_desktop.i18n import _

class Ui_MainWindow(object):
    def setupUi(self, MainWindow):
        if not MainWindow.objectName():
            MainWindow.setObjectName(u"MainWindow")
        MainWindow.resize(1200, 760)
        MainWindow.setWindowTitle(u"CMRC Desktop")
        MainWindow.setAcceptDrops(True)
        MainWindow.setUnifiedTitleAndToolBarOnMac(True)
        self.action_new_workspace = QAction(MainWindow)
        self.action_new_workspace.setObjectName(u"action_new_workspace")
        self.action_open_workspace = QAction(MainWindow)
        self.action_open_workspace.setObjectName(u"action_open_workspace")
        self.action_import_package = QAction(MainWindow)
        self.action_import_package.setObjectName(u"action_import_package")
        self.action_close_workspace = QAction(MainWindow)
        self.action_close_workspace.setObjectName(u"action_close_workspace")
        self.action_quit = QAction(MainWindow)
        self.action_quit.setObjectName(u"action_quit")
        self.action_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.action_show_toolbar = QAction(MainWindow)
        self.action_show_toolbar.setObjectName(u"action_show_toolbar")
        self.action_show_toolbar.setCheckable(True)
        self.action_show_toolbar.setChecked(True)
        self.action_language_zh = QAction(MainWindow)
        self.action_language_zh.setObjectName(u"action_language_zh")
        self.action_language_zh.setCheckable(True)
        self.action_language_zh.setText(u"\u4e2d\u6587")
        self.action_language_en = QAction(MainWindow)
        self.action_language_en.setObjectName(u"action_language_en")
        self.action_language_en.setCheckable(True)
        self.action_language_en.setText(u"English")
        self.action_about = QAction(MainWindow)
        self.action_about.setObjectName(u"action_about")
        self.action_about.setMenuRole(QAction.MenuRole.AboutRole)
        self.central_widget = QWidget(MainWindow)
        self.central_widget.setObjectName(u"central_widget")
        self.central_layout = QHBoxLayout(self.central_widget)
        self.central_layout.setSpacing(0)
        self.central_layout.setObjectName(u"central_layout")
        self.central_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(self.central_widget)
        self.splitter.setObjectName(u"splitter")
        self.splitter.setOrientation(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(1)
        self.view_list = QListWidget(self.splitter)
        self.view_list.setObjectName(u"view_list")
        self.view_list.setMinimumSize(QSize(170, 0))
        self.view_list.setFrameShape(QFrame.Shape.NoFrame)
        self.view_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view_list.setIconSize(QSize(20, 20))
        self.view_list.setSpacing(2)
        self.view_list.setUniformItemSizes(True)
        self.splitter.addWidget(self.view_list)
        self.view_stack = QStackedWidget(self.splitter)
        self.view_stack.setObjectName(u"view_stack")
        self.welcome_page = QWidget()
        self.welcome_page.setObjectName(u"welcome_page")
        self.welcome_layout = QVBoxLayout(self.welcome_page)
        self.welcome_layout.setSpacing(12)
        self.welcome_layout.setObjectName(u"welcome_layout")
        self.welcome_layout.setContentsMargins(40, 36, 40, 24)
        self.welcome_heading = QHBoxLayout()
        self.welcome_heading.setSpacing(14)
        self.welcome_heading.setObjectName(u"welcome_heading")
        self.welcome_icon = QLabel(self.welcome_page)
        self.welcome_icon.setObjectName(u"welcome_icon")
        self.welcome_icon.setMinimumSize(QSize(48, 48))

        self.welcome_heading.addWidget(self.welcome_icon)

        self.welcome_title = QLabel(self.welcome_page)
        self.welcome_title.setObjectName(u"welcome_title")

        self.welcome_heading.addWidget(self.welcome_title)

        self.welcome_heading_spacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.welcome_heading.addItem(self.welcome_heading_spacer)


        self.welcome_layout.addLayout(self.welcome_heading)

        self.welcome_text = QLabel(self.welcome_page)
        self.welcome_text.setObjectName(u"welcome_text")
        self.welcome_text.setWordWrap(True)

        self.welcome_layout.addWidget(self.welcome_text)

        self.welcome_buttons = QHBoxLayout()
        self.welcome_buttons.setSpacing(8)
        self.welcome_buttons.setObjectName(u"welcome_buttons")
        self.open_button = QPushButton(self.welcome_page)
        self.open_button.setObjectName(u"open_button")

        self.welcome_buttons.addWidget(self.open_button)

        self.import_button = QPushButton(self.welcome_page)
        self.import_button.setObjectName(u"import_button")

        self.welcome_buttons.addWidget(self.import_button)

        self.new_button = QPushButton(self.welcome_page)
        self.new_button.setObjectName(u"new_button")

        self.welcome_buttons.addWidget(self.new_button)

        self.welcome_buttons_spacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.welcome_buttons.addItem(self.welcome_buttons_spacer)


        self.welcome_layout.addLayout(self.welcome_buttons)

        self.welcome_gap = QSpacerItem(0, 12, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)

        self.welcome_layout.addItem(self.welcome_gap)

        self.recent_label = QLabel(self.welcome_page)
        self.recent_label.setObjectName(u"recent_label")

        self.welcome_layout.addWidget(self.recent_label)

        self.recent_list = QListWidget(self.welcome_page)
        self.recent_list.setObjectName(u"recent_list")
        sizePolicy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        sizePolicy.setHorizontalStretch(0)
        sizePolicy.setVerticalStretch(0)
        sizePolicy.setHeightForWidth(self.recent_list.sizePolicy().hasHeightForWidth())
        self.recent_list.setSizePolicy(sizePolicy)
        self.recent_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.recent_list.setAlternatingRowColors(True)
        self.recent_list.setIconSize(QSize(20, 20))

        self.welcome_layout.addWidget(self.recent_list)

        self.welcome_bottom_spacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.welcome_layout.addItem(self.welcome_bottom_spacer)

        self.drop_hint = QLabel(self.welcome_page)
        self.drop_hint.setObjectName(u"drop_hint")
        self.drop_hint.setWordWrap(True)

        self.welcome_layout.addWidget(self.drop_hint)

        self.view_stack.addWidget(self.welcome_page)
        self.splitter.addWidget(self.view_stack)

        self.central_layout.addWidget(self.splitter)

        MainWindow.setCentralWidget(self.central_widget)
        self.menu_bar = QMenuBar(MainWindow)
        self.menu_bar.setObjectName(u"menu_bar")
        self.menu_file = QMenu(self.menu_bar)
        self.menu_file.setObjectName(u"menu_file")
        self.menu_recent = QMenu(self.menu_file)
        self.menu_recent.setObjectName(u"menu_recent")
        self.menu_view = QMenu(self.menu_bar)
        self.menu_view.setObjectName(u"menu_view")
        self.menu_language = QMenu(self.menu_view)
        self.menu_language.setObjectName(u"menu_language")
        self.menu_help = QMenu(self.menu_bar)
        self.menu_help.setObjectName(u"menu_help")
        MainWindow.setMenuBar(self.menu_bar)
        self.main_toolbar = QToolBar(MainWindow)
        self.main_toolbar.setObjectName(u"main_toolbar")
        self.main_toolbar.setMovable(False)
        self.main_toolbar.setIconSize(QSize(20, 20))
        self.main_toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.main_toolbar.setFloatable(False)
        MainWindow.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.main_toolbar)
        self.status_bar = QStatusBar(MainWindow)
        self.status_bar.setObjectName(u"status_bar")
        MainWindow.setStatusBar(self.status_bar)
#if QT_CONFIG(shortcut)
        self.recent_label.setBuddy(self.recent_list)
#endif // QT_CONFIG(shortcut)

        self.menu_bar.addAction(self.menu_file.menuAction())
        self.menu_bar.addAction(self.menu_view.menuAction())
        self.menu_bar.addAction(self.menu_help.menuAction())
        self.menu_file.addAction(self.action_new_workspace)
        self.menu_file.addAction(self.action_open_workspace)
        self.menu_file.addAction(self.menu_recent.menuAction())
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.action_import_package)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.action_close_workspace)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.action_quit)
        self.menu_view.addAction(self.action_show_toolbar)
        self.menu_view.addAction(self.menu_language.menuAction())
        self.menu_language.addAction(self.action_language_zh)
        self.menu_language.addAction(self.action_language_en)
        self.menu_help.addAction(self.action_about)
        self.main_toolbar.addAction(self.action_open_workspace)
        self.main_toolbar.addAction(self.action_import_package)
        self.main_toolbar.addAction(self.action_new_workspace)

        self.retranslateUi(MainWindow)

        QMetaObject.connectSlotsByName(MainWindow)
    # setupUi

    def retranslateUi(self, MainWindow):
        self.action_new_workspace.setText(_("&New secretary workspace\u2026"))
#if QT_CONFIG(tooltip)
        self.action_new_workspace.setToolTip(_("Create the workspace of a new evaluation batch"))
#endif // QT_CONFIG(tooltip)
        self.action_new_workspace.setIconText(_("New"))
        self.action_open_workspace.setText(_("&Open workspace\u2026"))
#if QT_CONFIG(tooltip)
        self.action_open_workspace.setToolTip(_("Open a workspace folder"))
#endif // QT_CONFIG(tooltip)
        self.action_open_workspace.setIconText(_("Open"))
        self.action_import_package.setText(_("&Import panel package\u2026"))
#if QT_CONFIG(tooltip)
        self.action_import_package.setToolTip(_("Create your expert workspace from the panel package the secretary gave you"))
#endif // QT_CONFIG(tooltip)
        self.action_import_package.setIconText(_("Import package"))
        self.action_close_workspace.setText(_("&Close workspace"))
        self.action_quit.setText(_("&Quit"))
        self.action_show_toolbar.setText(_("Show &toolbar"))
        self.action_about.setText(_("&About CMRC Desktop"))
#if QT_CONFIG(accessibility)
        self.view_list.setAccessibleName(_("Views"))
#endif // QT_CONFIG(accessibility)
        self.welcome_title.setText(_("Clinical research centre evaluation"))
        self.welcome_text.setText(_("Open the workspace you are working on, import the panel package you received from the secretary, or create the workspace of a new evaluation batch."))
        self.open_button.setText(_("Open workspace\u2026"))
        self.import_button.setText(_("Import panel package\u2026"))
        self.new_button.setText(_("New secretary workspace\u2026"))
        self.recent_label.setText(_("Recent workspaces"))
#if QT_CONFIG(accessibility)
        self.recent_list.setAccessibleName(_("Recent workspaces"))
#endif // QT_CONFIG(accessibility)
        self.drop_hint.setText(_("Tip: drop a panel package (.cmrcpkg) onto this window to import it."))
        self.menu_file.setTitle(_("&File"))
        self.menu_recent.setTitle(_("Open &recent"))
        self.menu_view.setTitle(_("&View"))
        self.menu_language.setTitle(_("&Language"))
        self.menu_help.setTitle(_("&Help"))
        self.main_toolbar.setWindowTitle(_("Main toolbar"))
        pass
    # retranslateUi

