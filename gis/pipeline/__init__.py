"""The run: the project's layers through every analysis stage, and the files a run writes.

The only package that knows the :class:`~gis.pipeline.context.RunContext`:

- :mod:`~gis.pipeline.context`: the context, its typed intermediate results, the stage
  declaration (what each stage reads, enforced while it runs);
- :mod:`~gis.pipeline.stages`: the stages in order and :func:`~gis.pipeline.stages.run`
  (``gis.run`` of the facade);
- one module per group of stages: :mod:`~gis.pipeline.radio`, :mod:`~gis.pipeline.sharing`,
  :mod:`~gis.pipeline.fiber`, :mod:`~gis.pipeline.indicators`;
- :mod:`~gis.pipeline.cache`: runs memoised on the content of what each stage reads;
- :mod:`~gis.pipeline.write`: the run folder and ``run.json``.

The analyses themselves (:mod:`gis.analysis`, :mod:`gis.radio`, :mod:`gis.scale`) never
import it. (It is not called ``gis.run``: that name is the facade's function, and a subpackage
of the same name would replace it as soon as it was imported.)
"""
