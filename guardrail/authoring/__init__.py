"""Tools for policy authors: starting a policy from a sample export, linting it, and
testing it with case files (issue 13). The command line's ``init``, ``lint`` and
``test`` commands are thin faces over these modules."""
