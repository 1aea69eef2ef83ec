"""The façade the CLI, the service and evaluation call: ``answer`` and ``stage``."""

from __future__ import annotations

from dataclasses import asdict, replace
from functools import cached_property
from typing import Any

import numpy as np

from rag.answerer.answering import UNCITED_MODE, LearnedAnswer, ServedAnswerer, answer_image_question
from rag.answering.answerability import AnswerabilityModel, Signals, TermStats, signals
from rag.answering.question import profile
from rag.answering.rerank import Candidate, Reranker, create_reranker
from rag.answering.spelling import PieceCounter
from rag.answering.synonyms import expand
from rag.cite import (
    INSUFFICIENT_EVIDENCE,
    CitationConfig,
    VerifiedAnswer,
    closed_answer,
    is_closed_question,
    verify_answer,
)
from rag.contracts import Answer, Query, Retrieval, Timer, evidence_row, metadata_text, source_of
from rag.domain import DomainDecision, identify_domain
from rag.errors import InputError
from rag.generate import GenerationRequest, Generator, Source, create_generator
from rag.retrieve.adaptive_k import Calibration, KChoice, gap_ratio_k
from rag.retrieve.retriever import PASSAGE_KINDS, EvidenceItem, Retriever
from rag.runtime import Runtime
from rag.store.catalog import Catalog
from rag.tnm_question import TnmAnswer, answer_tnm_question
from rag.vqa import CaseVote, vote_closed_answer

GENERAL_DOMAINS = ("general",)
GUIDELINE_KINDS = ("passage",)


class Pipeline:
    """Domain → retrieval → adaptive k → generation → citation check, with timings per stage."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._generators: dict[str, Generator] = {}
        self._retriever: tuple[str, Retriever] | None = None
        self._term_stats: tuple[str, TermStats] | None = None
        self._reranker: tuple[str, Reranker | None] | None = None
        self._answerer = ServedAnswerer(runtime.settings.answerer_root())

    @property
    def settings(self) -> Any:
        return self.runtime.settings

    def generator(self, name: str | None) -> Generator:
        chosen = name or self.settings.generator
        if chosen not in self._generators:
            self._generators[chosen] = create_generator(chosen, **self.settings.generator_options(chosen))
        return self._generators[chosen]

    def retriever(self, catalog: Catalog) -> Retriever:
        if self._retriever is None or self._retriever[0] != catalog.version:
            self._retriever = (catalog.version, Retriever(catalog, candidates=self.settings.retrieval_candidates))
        return self._retriever[1]

    @cached_property
    def calibration(self) -> Calibration:
        return Calibration.load(self.settings.calibration_file)

    def _choose_k(self, items: list[EvidenceItem], cap: int, floor: int = 1, calibrated: bool = False) -> KChoice:
        """The calibration measures similar-case votes, so it sets the number of cases; passages use the gap ratio."""
        if calibrated and self.settings.adaptive_k == "calibrated":
            choice = self.calibration.choice()
            return KChoice(min(choice.k, len(items)), choice.method, choice.detail)
        if self.settings.adaptive_k == "fixed":
            return KChoice(min(cap, len(items)), "fixed", {"k": cap})
        similarities = [i.score for i in items]
        return gap_ratio_k(similarities, threshold=self.settings.gap_threshold, k_min=min(floor, cap), k_max=cap)

    @property
    def reranker(self) -> Reranker | None:
        """Built once per index version: the feature reranker weighs words by their rarity in that index."""
        catalog = self.runtime.catalog()
        if self._reranker is None or self._reranker[0] != catalog.version:
            stats = self.term_stats(catalog)
            built = create_reranker(
                self.settings.reranker,
                self.settings.reranker_model_dir,
                self.settings.device,
                idf=stats.idf,
                weights=self.settings.rerank_weights,
                names=stats.names,
            )
            self._reranker = (catalog.version, built)
        return self._reranker[1]

    def _rerank(self, question: str, items: list[EvidenceItem]) -> list[EvidenceItem]:
        """Fused candidates in the reranker's order, each carrying its relevance and features."""
        if self.reranker is None or not items:
            return items
        candidates = [
            Candidate(
                i.id, i.text, metadata_text(i, "section"), metadata_text(i, "title"), i.similarity, i.unit_similarity
            )
            for i in items
        ]
        scores = {s.id: s for s in self.reranker.score(profile(expand(question), written=question), candidates)}
        rescored = [replace(i, relevance=scores[i.id].score, features=scores[i.id].features) for i in items]
        return sorted(rescored, key=lambda i: -(i.relevance or 0.0))

    def _check(self, query: Query) -> None:
        if not query.question or not query.question.strip():
            raise InputError("the question is empty")
        if len(query.question) > self.settings.max_question_chars:
            raise InputError(
                f"the question is {len(query.question)} characters; the limit is {self.settings.max_question_chars}"
            )

    def retrieve(self, query: Query) -> Retrieval:
        """The evidence ``answer`` would use: domain routing, hybrid passages, similar cases, adaptive k."""
        self._check(query)
        return self._retrieve(query, Timer())

    def _spelled(self, query: Query) -> tuple[Query, list[dict[str, str]]]:
        """The query with typos of knowledge-base words repaired (see :mod:`rag.answering.spelling`)."""
        if not self.settings.repair_spelling:
            return query, []
        text, repairs = self.term_stats(self.runtime.catalog()).speller.correct(query.question)
        return replace(query, question=text), [repair.as_dict() for repair in repairs]

    def _retrieve(self, query: Query, timer: Timer) -> Retrieval:
        query, repairs = self._spelled(query)
        catalog = self.runtime.catalog()
        retriever = self.retriever(catalog)
        exclude = {query.image_id} if query.exclude_same_image and query.image_id else set()
        image_vector: np.ndarray | None = None
        neighbours: list[EvidenceItem] = []
        with timer.stage("encode"):
            question_vector = self.runtime.text_encoder.encode([query.question])
            if query.image is not None:
                catalog.check_encoder("image", self.runtime.image_encoder.info)
                image_vector = self.runtime.image_encoder.encode([query.image])
        with timer.stage("domain"):
            if image_vector is not None:
                neighbours = retriever.similar_cases(image_vector, domains=None, exclude=exclude, k=10)
            decision = self._domain(catalog, query, neighbours)
        passages: list[EvidenceItem] = []
        cases: list[EvidenceItem] = []
        k_passages = KChoice(0, "none", {"reason": "retrieval disabled"})
        k_cases = KChoice(0, "none", {"reason": "no image"})
        if query.use_retrieval:
            with timer.stage("retrieve"):
                passages = self._fused_passages(query, question_vector, decision)
            with timer.stage("rerank"):
                passages = self._rerank(query.question, passages)
                k_passages = self._choose_k(passages, self.settings.k_max_passages)
                passages = passages[: k_passages.k]
                if image_vector is not None:
                    candidates = retriever.similar_cases(
                        image_vector, domains=decision.search_domains(), exclude=exclude
                    )
                    k_cases = self._choose_k(
                        candidates, self.settings.k_max_cases, self.settings.k_min_cases, calibrated=True
                    )
                    cases = candidates[: k_cases.k]
        return Retrieval(
            question_vector=question_vector,
            image_vector=image_vector,
            domain=decision,
            passages=passages,
            cases=cases,
            k={"passages": k_passages.as_dict(), "cases": k_cases.as_dict(), "leakage_filter": sorted(exclude)},
            versions={
                "encoders": catalog.encoders,
                "index": catalog.version,
                "reranker": self.reranker.name if self.reranker is not None else "none",
                "medcite": self.runtime.version,
            },
            timings=timer.timings,
            spelling=repairs,
            question=query.question,
        )

    def _domain(self, catalog: Catalog, query: Query, neighbours: list[EvidenceItem]) -> DomainDecision:
        return identify_domain(
            known_domains=catalog.known_domains(),
            dicom=query.dicom,
            hint=query.domain,
            neighbours=[(n.domain, n.similarity) for n in neighbours],
            question=query.question,
            min_confidence=self.settings.domain_min_confidence,
        )

    def _fused_passages(
        self, query: Query, question_vector: np.ndarray, decision: DomainDecision
    ) -> list[EvidenceItem]:
        kinds = (
            PASSAGE_KINDS if query.image is not None or self.settings.text_questions_use_reports else GUIDELINE_KINDS
        )
        return self.retriever(self.runtime.catalog()).passages(
            question_vector, expand(query.question), domains=decision.search_domains(GENERAL_DOMAINS), kinds=kinds
        )

    def ranked_passages(self, question: str) -> list[EvidenceItem]:
        """Every fused passage candidate of a text question in the reranker's order, before the adaptive cut,
        each with its features: what fitting the reranker (``medcite eval fit-reranker``) learns from."""
        query, _ = self._spelled(Query(question))
        self._check(query)
        decision = self._domain(self.runtime.catalog(), query, [])
        vector = self.runtime.text_encoder.encode([query.question])
        return self._rerank(query.question, self._fused_passages(query, vector, decision))

    def answer(self, query: Query) -> Answer:
        self._check(query)
        timer = Timer()
        found = self._retrieve(query, timer)
        query = replace(query, question=found.question)
        retriever = self.retriever(self.runtime.catalog())
        question_vector, decision = found.question_vector, found.domain
        passages, cases = list(found.passages), list(found.cases)
        tnm = answer_tnm_question(query.question) if query.use_retrieval else None
        if tnm is not None:
            known = {item.id for item in passages}
            for source_id, _ in tnm.quotes:
                cited = retriever.passage(source_id, question_vector) if source_id not in known else None
                if cited is not None:
                    passages.append(cited)
                    known.add(source_id)
        items = [*passages, *cases]
        sources = [source_of(n, item) for n, item in enumerate(items, start=1)]
        closed = is_closed_question(query.question)
        vote: CaseVote | None = None
        if closed and cases and self.settings.closed_case_vote:
            with timer.stage("case_vote"):
                vote = vote_closed_answer(
                    query.question,
                    cases,
                    self.runtime.text_encoder,
                    min_question_similarity=self.settings.case_vote_min_question_similarity,
                    min_term_overlap=self.settings.case_vote_min_term_overlap,
                )
        answerability = self._answerability(query, passages, tnm)
        learned = self._learned(query, found, sources, closed, timer) if tnm is None else None
        if learned is not None:
            text, mode, answered_by = learned.text, learned.mode, learned.info
        elif answerability["answerable"]:
            text, mode, answered_by = self._compose(query, sources, tnm, vote, closed, timer)
        else:
            text, mode, answered_by = INSUFFICIENT_EVIDENCE, "not-answerable", {"name": "answerability", "version": "1"}
        with timer.stage("verify"):
            verified = self._verify(text, sources, mode)
        timer.timings["total"] = round(sum(timer.timings.values()), 2)
        return Answer(
            answer=verified.answer,
            closed_answer=closed_answer(query.question, verified) if closed else None,
            citations=[citation.as_dict() for citation in verified.citations],
            removed=[item.as_dict() for item in verified.removed],
            abstained=verified.abstained,
            evidence={
                "passages": [evidence_row(s, i) for s, i in zip(sources, items, strict=True) if i.kind != "case"],
                "cases": [evidence_row(s, i) for s, i in zip(sources, items, strict=True) if i.kind == "case"],
            },
            domain=decision.as_dict(),
            k=found.k,
            versions={"generator": answered_by, **found.versions},
            timings=timer.timings,
            mode=mode,
            closest_sources=list(verified.closest_sources),
            answerability=answerability,
            answerer=learned.info if learned is not None else {},
            spelling=found.spelling,
        )

    def answerer_version(self) -> str | None:
        """The served answerer's version, part of every cache key for a question about an image."""
        return self._answerer.version() if self.settings.use_answerer else None

    def _learned(
        self, query: Query, found: Retrieval, sources: list[Source], closed: bool, timer: Timer
    ) -> LearnedAnswer | None:
        """The learned answerer's answer to an image question; None without an image or a trained artifact."""
        if found.image_vector is None or not query.use_retrieval or not self.settings.use_answerer:
            return None
        saved = self._answerer.get({"text": self.runtime.text_encoder.info, "image": self.runtime.image_encoder.info})
        if saved is None:
            return None
        with timer.stage("answerer"):
            return answer_image_question(
                saved,
                query.question,
                found.question_vector,
                found.image_vector,
                closed=closed,
                cases=found.cases,
                numbers={source.source_id: source.n for source in sources},
                encoder=self.runtime.text_encoder,
                controlled=(query.answerer_risk or self.settings.answerer_risk) == "controlled",
                exclude_image=query.image_id if query.exclude_same_image else None,
            )

    @cached_property
    def answerability_model(self) -> AnswerabilityModel:
        return AnswerabilityModel.load(self.settings.answerability_model)

    def term_stats(self, catalog: Catalog) -> TermStats:
        """Word rarity over the guideline passages of this index version (built once per version)."""
        if self._term_stats is None or self._term_stats[0] != catalog.version:
            texts = (
                f"{meta.get('title', '')} {meta.get('section', '')} {meta.get('text', '')}"
                for _, collection in catalog.of_kind("passage")
                for meta in map(collection.get, collection.ids())
            )
            self._term_stats = (catalog.version, TermStats.build(texts, self._word_pieces))
        return self._term_stats[1]

    @property
    def _word_pieces(self) -> PieceCounter | None:
        encoder = self.runtime.text_encoder
        return encoder if hasattr(encoder, "word_pieces") else None

    def answerability_signals(self, question: str, passages: list[EvidenceItem]) -> Signals:
        """Signals of a question as retrieval reads it (typos repaired), for calibration outside ``answer``."""
        return self._signals(self._spelled(Query(question))[0].question, passages)

    def _signals(self, question: str, passages: list[EvidenceItem]) -> Signals:
        ranked = [p for p in passages if p.kind != "case"]
        texts = [f"{metadata_text(p, 'title')} {metadata_text(p, 'section')} {p.text}" for p in ranked]
        pieces = self._word_pieces
        relevance = ranked[0].score if ranked else 0.0
        heading = metadata_text(ranked[0], "section").split(" > ")[-1] if ranked else ""
        return signals(question, texts, relevance, self.term_stats(self.runtime.catalog()), pieces, heading)

    def _answerability(self, query: Query, passages: list[EvidenceItem], tnm: TnmAnswer | None) -> dict[str, Any]:
        """Whether the guideline knowledge can answer a text question at all (calibrated model, see
        :mod:`rag.answering.answerability`). Image questions (cases may answer) and staging questions pass."""
        gated = query.image is None and tnm is None and query.use_retrieval
        if not gated:
            return {"answerable": True, "applied": False}
        found = self._signals(query.question, passages)
        model = self.answerability_model
        probability = model.probability(found)
        return {
            "answerable": probability >= model.threshold,
            "applied": True,
            "probability": round(probability, 4),
            "threshold": model.threshold,
            "signals": asdict(found),
        }

    def _compose(
        self,
        query: Query,
        sources: list[Source],
        tnm: TnmAnswer | None,
        vote: CaseVote | None,
        closed: bool,
        timer: Timer,
    ) -> tuple[str, str, dict[str, str]]:
        """The answer text, how it was made, and what made it; a generator is loaded only when it writes."""
        numbers = {source.source_id: source.n for source in sources}
        if tnm is not None and all(source_id in numbers for source_id, _ in tnm.quotes):
            first, *rest = tnm.quotes
            text = " ".join(
                [
                    f'{tnm.value} ({tnm.edition}th edition): "{first[1]}" [{numbers[first[0]]}].',
                    *(f'"{quote}" [{numbers[source_id]}].' for source_id, quote in rest),
                ]
            )
            return text, "staging-rules", {"name": "staging-rules", "version": "1", "edition": tnm.edition}
        if vote is not None:
            # The verbatim Q/A line of the best supporting case is the whole claim, so it verifies as a quote.
            text = f'{vote.answer.capitalize()}. "{vote.line}" [{numbers[vote.case_id]}]'
            return text, "case-vote", {"name": "case-vote", "version": "1"}
        generator = self.generator(query.generator)
        if closed and query.use_retrieval and query.image is not None and not generator.accepts_images:
            # Text about other patients cannot say yes or no about this image: only similar cases can.
            return INSUFFICIENT_EVIDENCE, "case-vote", {"name": "case-vote", "version": "1"}
        with timer.stage("generate"):
            request = GenerationRequest(
                query.question, sources, image=query.image, closed=closed, max_tokens=self.settings.max_tokens
            )
            text = generator.generate(request).text
        return text, "generated" if query.use_retrieval else "no-retrieval", generator.info

    def _verify(self, text: str, sources: list[Source], mode: str) -> VerifiedAnswer:
        config = CitationConfig(**self.settings.citation_options())
        if mode in ("no-retrieval", UNCITED_MODE):
            return VerifiedAnswer(answer=text, citations=[], removed=[], abstained=False, supported_fraction=0.0)
        return verify_answer(text, sources, encoder=self.runtime.text_encoder, config=config)

    def stage(self, report: str | dict[str, Any], edition: str) -> Any:
        """Lung cancer TNM staging from free-text findings or structured findings JSON."""
        from rag.staging import stage_findings, stage_report

        if isinstance(report, dict):
            return stage_findings(report, edition)
        return stage_report(report, edition)
