"""FHIR R4 mappers: Annulus records → `fhir.resources` R4B models (which read and write R4).

Each `*_resources` function takes one stored object and returns validated models; `collect.py`
walks a patient or a clinic. Resource ids are stable: `<kind>-<pk>[-<part>]`.
"""
