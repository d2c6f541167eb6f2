"""Exchange with EarthRanger and SMART: verified leopard attacks go out as EarthRanger events
and SMART observations; leopard observations come in as presence records of incentive
schemes. Field by field mapping: docs/interop.md."""
