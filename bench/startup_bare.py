"""The anchor for start-up: a bare Textual app with a header, a table and a footer, exiting once it has drawn."""

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


class BareApp(App):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("编号", "客户", "到期")
        self.call_after_refresh(self.exit)


if __name__ == "__main__":
    BareApp().run(headless=True)
