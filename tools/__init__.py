# SPDX-License-Identifier: Apache-2.0
"""Command lines that make and users run; each a thin front end on flow/, tb/ and models/
(tools/README.md). Nothing but tests and other tools imports them."""
