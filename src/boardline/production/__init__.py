"""Production (MES): work orders so far; lines, routings and units come with issue 5."""
