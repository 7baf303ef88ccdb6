"""Application checklists (seed 004 附件1) and archive checklists (附件2), read from data/checklists.toml.

The checklist says which documents each of the eight business types needs, which one alone lets the counter accept
the application (容缺办理: the identity or subject proof, the "primary" document), what an agent and an important
customer bring in addition, and what is archived at each stage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import msgspec

from station_tui.domain.errors import ConfigError
from station_tui.domain.profiles import BUSINESS_TYPE_IDS
from station_tui.domain.reference import decode_toml

NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
CopyRequirement = Literal["original", "copy", "original_and_copy"]
ArchiveMark = Literal["√", "△"]

COPY_REQUIREMENTS: dict[str, str] = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件"}
# 附件2 说明 1: √ must be archived; △ archived when it applies.
ARCHIVE_MARKS: dict[str, str] = {"√": "required", "△": "when_applicable"}


class _Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    pass


class DocumentDef(_Strict):
    """One document as the 附件1 说明 column describes it, shared by the business types that name its key."""

    key: NonEmpty
    name: NonEmpty
    forms: Annotated[list[NonEmpty], msgspec.Meta(min_length=1)]
    copy: CopyRequirement
    form_copy: dict[str, CopyRequirement] = {}
    note: str = ""


class DocumentRef(_Strict):
    """A business type's use of a document, with the forms it accepts when they differ from the shared ones."""

    key: NonEmpty
    primary: bool = False
    forms: Annotated[list[NonEmpty], msgspec.Meta(min_length=1)] | None = None
    copy: CopyRequirement | None = None
    form_copy: dict[str, CopyRequirement] | None = None
    note: str | None = None


class DocumentSpec(msgspec.Struct, frozen=True):
    """A document as the counter asks for it: the shared definition with the business type's overrides applied."""

    key: str
    name: str
    forms: tuple[str, ...]
    copy: CopyRequirement
    form_copy: dict[str, CopyRequirement]
    primary: bool = False
    note: str = ""

    def copy_for(self, form: str) -> CopyRequirement:
        """Original, copy or both, for one accepted form (some forms differ from the document's rule)."""
        return self.form_copy.get(form, self.copy)

    @property
    def copy_label(self) -> str:
        return COPY_REQUIREMENTS[self.copy]


class BusinessType(_Strict):
    id: NonEmpty
    name: NonEmpty
    voltage: Literal["low", "high"]
    resident: bool
    documents: Annotated[list[DocumentRef], msgspec.Meta(min_length=1)]
    # 附件1 注 (委托代理人) applies to organisations only.
    agent_documents: bool = False
    # Not a 小微企业 by seed 004's definition (residents, 农业生产及排灌, 通讯基站).
    excluded_from_small_micro: bool = False
    note: str = ""


class ArchiveItem(_Strict):
    name: NonEmpty
    # business type id -> "√" (must be archived) or "△" (when it applies); a type left out archives nothing.
    marks: dict[str, ArchiveMark]
    note: str = ""
    # Application documents (附件1 keys) that are this archive item: filed when the application's copies of them are
    # received or collected, not applicable when the application needs none of them (e.g. no agent).
    documents: list[NonEmpty] = []

    def mark(self, business_type_id: str) -> Literal["required", "when_applicable"] | None:
        symbol = self.marks.get(business_type_id)
        return ARCHIVE_MARKS[symbol] if symbol else None  # type: ignore[return-value]


class ArchiveStage(_Strict):
    id: NonEmpty
    name: NonEmpty
    items: Annotated[list[ArchiveItem], msgspec.Meta(min_length=1)]


class Checklists(_Strict):
    source: NonEmpty
    documents: Annotated[list[DocumentDef], msgspec.Meta(min_length=1)]
    business_types: Annotated[list[BusinessType], msgspec.Meta(min_length=1)]
    agent_documents: list[NonEmpty]
    important_documents: list[NonEmpty]
    archive: Annotated[list[ArchiveStage], msgspec.Meta(min_length=1)]
    archive_notes: list[str] = []

    def _definition(self, key: str) -> DocumentDef:
        for definition in self.documents:
            if definition.key == key:
                return definition
        raise KeyError(key)

    def business_type(self, business_type_id: str) -> BusinessType:
        for business in self.business_types:
            if business.id == business_type_id:
                return business
        raise KeyError(business_type_id)

    def document(self, key: str) -> DocumentSpec:
        """A shared document definition as a spec (agent and important-customer documents are looked up here)."""
        return _spec(self._definition(key), DocumentRef(key=key))

    def base_documents(self, business_type_id: str) -> list[DocumentSpec]:
        """The business type's own documents (两证办结), in the order of 附件1."""
        business = self.business_type(business_type_id)
        return [_spec(self._definition(ref.key), ref) for ref in business.documents]

    def required_documents(
        self, business_type_id: str, agent: bool = False, important: bool = False
    ) -> list[DocumentSpec]:
        """Everything the application needs: the type's documents, then the agent's, then the important customer's.

        The agent's documents are added only where 附件1 注 applies (organisations); a private person's agent brings
        nothing more. Whether a customer is important is decided in the supply plan (GB/T 29328); the caller says so.
        """
        docs = self.base_documents(business_type_id)
        if agent and self.business_type(business_type_id).agent_documents:
            docs += [self.document(key) for key in self.agent_documents]
        if important:
            docs += [self.document(key) for key in self.important_documents]
        return docs

    def primary_document(self, business_type_id: str) -> DocumentSpec:
        """The identity or subject proof: with only this one the counter accepts (容缺办理)."""
        return next(doc for doc in self.base_documents(business_type_id) if doc.primary)

    def archive_stage(self, stage_id: str) -> ArchiveStage:
        for stage in self.archive:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    def archive_items(self, stage: str | None = None, business_type_id: str | None = None) -> list[ArchiveItem]:
        """Archive items of one stage (all stages when None), only those marked for the business type when given."""
        stages = [self.archive_stage(stage)] if stage is not None else self.archive
        return [
            item
            for s in stages
            for item in s.items
            if business_type_id is None or item.mark(business_type_id) is not None
        ]


def _spec(base: DocumentDef, ref: DocumentRef) -> DocumentSpec:
    # Overridden forms do not inherit the shared form_copy and note: those speak of the shared forms.
    overridden = ref.forms is not None
    form_copy = ref.form_copy if ref.form_copy is not None else ({} if overridden else base.form_copy)
    note = ref.note if ref.note is not None else ("" if overridden else base.note)
    return DocumentSpec(
        key=base.key,
        name=base.name,
        forms=tuple(ref.forms if overridden else base.forms),  # type: ignore[arg-type]
        copy=ref.copy or base.copy,
        form_copy=dict(form_copy),
        primary=ref.primary,
        note=note,
    )


def _fail(path: Path, key: str, problem: str) -> ConfigError:
    return ConfigError(f"配置文件 {path} 有误：键 {key}：{problem}")


def _check_forms(path: Path, key: str, forms: list[str] | tuple[str, ...], form_copy: dict[str, str]) -> None:
    for form in form_copy:
        if form not in forms:
            raise _fail(path, f"{key}.form_copy", f"形式 {form} 不在 forms 中")


def _first_repeat(values: list[str]) -> int | None:
    """Index of the first value seen before (the duplicate a person would remove), or None."""
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            return index
        seen.add(value)
    return None


def _check_consistency(checklists: Checklists, path: Path) -> None:
    """What the schema cannot say: the eight business types once each, known keys, one primary document per type."""
    keys = [d.key for d in checklists.documents]
    repeat = _first_repeat(keys)
    if repeat is not None:
        raise _fail(path, f"documents[{repeat}].key", f"资料编号 {keys[repeat]} 重复")
    for index, definition in enumerate(checklists.documents):
        _check_forms(path, f"documents[{index}]", definition.forms, definition.form_copy)
    ids = [b.id for b in checklists.business_types]
    for index, business_id in enumerate(ids):
        if business_id not in BUSINESS_TYPE_IDS:
            raise _fail(path, f"business_types[{index}].id", f"未知的业务类型 {business_id}")
    repeat = _first_repeat(ids)
    if repeat is not None:
        raise _fail(path, f"business_types[{repeat}].id", f"业务类型 {ids[repeat]} 重复")
    missing = [b for b in BUSINESS_TYPE_IDS if b not in ids]
    if missing:
        raise _fail(path, "business_types", f"缺少业务类型 {', '.join(missing)}")
    for index, business in enumerate(checklists.business_types):
        where = f"business_types[{index}]"
        used = [ref.key for ref in business.documents]
        repeat = _first_repeat(used)
        if repeat is not None:
            raise _fail(path, f"{where}.documents[{repeat}].key", f"资料 {used[repeat]} 重复")
        for doc_index, ref in enumerate(business.documents):
            if ref.key not in keys:
                raise _fail(path, f"{where}.documents[{doc_index}].key", f"未定义的资料 {ref.key}")
            spec = _spec(checklists._definition(ref.key), ref)
            _check_forms(path, f"{where}.documents[{doc_index}]", spec.forms, spec.form_copy)
        primaries = [ref.key for ref in business.documents if ref.primary]
        if len(primaries) != 1:
            found = "、".join(primaries) if primaries else "没有"
            raise _fail(
                path,
                f"{where}.documents",
                f"业务类型 {business.id} 须有且只有一项主要资料（primary = true），现为：{found}",
            )
    for list_name in ("agent_documents", "important_documents"):
        for index, key in enumerate(getattr(checklists, list_name)):
            if key not in keys:
                raise _fail(path, f"{list_name}[{index}]", f"未定义的资料 {key}")
    stage_ids = [s.id for s in checklists.archive]
    repeat = _first_repeat(stage_ids)
    if repeat is not None:
        raise _fail(path, f"archive[{repeat}].id", f"归档环节 {stage_ids[repeat]} 重复")
    for index, stage in enumerate(checklists.archive):
        for item_index, item in enumerate(stage.items):
            for business_id in item.marks:
                if business_id not in BUSINESS_TYPE_IDS:
                    raise _fail(path, f"archive[{index}].items[{item_index}].marks", f"未知的业务类型 {business_id}")
            for key in item.documents:
                if key not in keys:
                    raise _fail(path, f"archive[{index}].items[{item_index}].documents", f"未定义的资料 {key}")


def default_path() -> Path:
    from station_tui.paths import data_dir

    return data_dir() / "checklists.toml"


def load_checklists(path: Path | None = None) -> Checklists:
    """Read and check the checklist file; a broken file is a ConfigError naming the file, the key and the problem."""
    path = path or default_path()
    checklists = decode_toml(path, Checklists)
    _check_consistency(checklists, path)
    return checklists
