"""Property-based and mutation testing of guardrail (issue 10, part 5).

Generators and invariants shared by the CI slice (``tests/test_fuzz_*.py``) and the
full campaign (``python bench/robustness.py``):

========================  ===================================================
``identifiers``           synthetic UK identifiers (postcode, phone, e-mail,
                          NHS number, NINO, name), valid by the detectors' rules
``exports``               clean police.uk-style exports and where a value goes
``tables``, ``documents``, one writer per format, registered in ``formats``
``markup``, ``formats``
``mutations``             reader-preserving mutations, and ``MISSED_TODAY``
``damage``                destructive mutations of the bytes
``cases``                 hypothesis strategies putting these together
``policies``,             policies drawn from the policy JSON Schema; the oracle
``schema_gen``            for what a generated policy must block
``probe``                 one API call, everything a user would see kept
``leaks``                 is a planted value shown, however disguised
``invariants``            (a) to (e), returning violations
``regressions``           failing inputs written as files, and their replay
========================  ===================================================
"""
