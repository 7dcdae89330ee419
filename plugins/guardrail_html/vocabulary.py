"""The names HTML, SVG and MathML define, so that every other name on a page is read as text.

A browser makes an element of anything after a ``<``: pasting ``Jane Smith
<jane.smith@example.com>`` into a page gives an element named
``jane.smith@example.com``, and ``<p Jane Smith>`` a paragraph with the attributes
``jane`` and ``smith``. The screen shows nothing, the saved page holds it all. So the
walk reads the names these lists do not know (:func:`unknown_names`), custom elements
(``<app-root>``) and framework attributes (``v-if``) included: detectors judge them,
and positions never print them (:mod:`.paths`).

The lists are the WHATWG HTML, SVG 1.1/2 and MathML Core vocabularies plus the
obsolete names browsers still parse; names are compared in lower case.
"""

from __future__ import annotations

import re

__all__ = ["known_element", "known_attribute", "unknown_names", "FOREIGN_ATTRIBUTES"]

_HTML_ELEMENTS = (
    "a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound "
    "big blink blockquote body br button canvas caption center cite code col colgroup data "
    "datalist dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure "
    "font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe "
    "image img input ins isindex kbd keygen label legend li link listing main map mark "
    "marquee menu menuitem meta meter multicol nav nextid nobr noembed noframes noscript "
    "object ol optgroup option output p param picture plaintext pre progress q rb rp rt rtc "
    "ruby s samp script search section select selectedcontent slot small source spacer span "
    "strike strong style sub summary sup table tbody td template textarea tfoot th thead "
    "time title tr track tt u ul var video wbr xmp")
_SVG_ELEMENTS = (
    "altglyph altglyphdef altglyphitem animate animatecolor animatemotion animatetransform "
    "circle clippath color-profile cursor defs desc discard ellipse feblend fecolormatrix "
    "fecomponenttransfer fecomposite feconvolvematrix fediffuselighting fedisplacementmap "
    "fedistantlight fedropshadow feflood fefunca fefuncb fefuncg fefuncr fegaussianblur "
    "feimage femerge femergenode femorphology feoffset fepointlight fespecularlighting "
    "fespotlight fetile feturbulence filter font-face font-face-format font-face-name "
    "font-face-src font-face-uri foreignobject g glyph glyphref hatch hatchpath hkern line "
    "lineargradient marker mask mesh meshgradient meshpatch meshrow metadata missing-glyph "
    "mpath path pattern polygon polyline radialgradient rect set solidcolor stop svg switch "
    "symbol text textpath tref tspan unknown use view vkern")
_MATHML_ELEMENTS = (
    "math maction maligngroup malignmark menclose merror mfenced mfrac mglyph mi mlabeledtr "
    "mlongdiv mmultiscripts mn mo mover mpadded mphantom mprescripts mroot mrow ms "
    "mscarries mscarry msgroup msline mspace msqrt msrow mstack mstyle msub msubsup msup "
    "mtable mtd mtext mtr munder munderover none semantics annotation annotation-xml")
_ELEMENTS = frozenset(f"{_HTML_ELEMENTS} {_SVG_ELEMENTS} {_MATHML_ELEMENTS}".split())

_HTML_ATTRIBUTES = (
    "abbr accept accept-charset accesskey action align alink allow allowfullscreen "
    "allowpaymentrequest allowtransparency alt anchor archive as async autocapitalize "
    "autocomplete autocorrect autofocus autoplay axis background behavior bgcolor blocking "
    "border bordercolor bottommargin capture cellpadding cellspacing char charoff charset "
    "checked cite class classid clear closedby code codebase codetype color cols colspan "
    "command commandfor compact content contenteditable controls controlslist coords "
    "crossorigin data datafld dataformatas datapagesize datasrc datetime declare decoding "
    "default defer dir direction dirname disabled disablepictureinpicture "
    "disableremoteplayback download draggable elementtiming enctype enterkeyhint event "
    "exportparts face fetchpriority for form formaction formenctype formmethod "
    "formnovalidate formtarget frame frameborder framespacing headers height hidden high "
    "href hreflang hspace http-equiv id imagesizes imagesrcset incremental inert inputmode "
    "integrity is ismap itemid itemprop itemref itemscope itemtype kind label lang language "
    "leftmargin link list loading longdesc loop low manifest marginheight marginwidth max "
    "maxlength media method min minlength multiple muted name nohref nomodule nonce "
    "noresize noshade novalidate nowrap object open optimum part pattern ping placeholder "
    "playsinline popover popovertarget popovertargetaction poster preload profile readonly "
    "referrerpolicy rel required rev reversed rightmargin role rows rowspan rules sandbox "
    "scheme scope scrollamount scrolldelay scrolling selected shadowrootclonable "
    "shadowrootdelegatesfocus shadowrootmode shadowrootserializable shape size sizes slot "
    "span spellcheck src srcdoc srclang srcset standby start step style summary tabindex "
    "target text title topmargin translate truespeed type usemap valign value valuetype "
    "version vlink vspace width wrap writingsuggestions xmlns about datatype inlist prefix "
    "property resource typeof vocab")
_SVG_ATTRIBUTES = (
    "accent-height accumulate additive alignment-baseline alphabetic amplitude arabic-form "
    "ascent attributename attributetype azimuth basefrequency baseline-shift baseprofile "
    "bbox begin bias by calcmode cap-height clip clip-path clip-rule clippathunits "
    "color-interpolation color-interpolation-filters color-profile color-rendering "
    "contentscripttype contentstyletype cursor cx cy d decelerate descent diffuseconstant "
    "display divisor dominant-baseline dur dx dy edgemode elevation enable-background end "
    "exponent externalresourcesrequired fill fill-opacity fill-rule filter filterres "
    "filterunits flood-color flood-opacity focusable font-family font-size font-size-adjust "
    "font-stretch font-style font-variant font-weight format fr from fx fy g1 g2 glyph-name "
    "glyph-orientation-horizontal glyph-orientation-vertical glyphref gradienttransform "
    "gradientunits hanging horiz-adv-x horiz-origin-x horiz-origin-y ideographic "
    "image-rendering in in2 intercept isolation k k1 k2 k3 k4 kernelmatrix "
    "kernelunitlength kerning keypoints keysplines keytimes lengthadjust letter-spacing "
    "lighting-color limitingconeangle local marker-end marker-mid marker-start markerheight "
    "markerunits markerwidth mask mask-type maskcontentunits maskunits mathematical "
    "mix-blend-mode mode numoctaves offset opacity operator order orient orientation origin "
    "overflow overline-position overline-thickness paint-order panose-1 path pathlength "
    "patterncontentunits patterntransform patternunits playbackorder pointer-events points "
    "pointsatx pointsaty pointsatz preservealpha preserveaspectratio primitiveunits r "
    "radius refx refy rendering-intent repeatcount repeatdur requiredextensions "
    "requiredfeatures restart result rotate rx ry scale seed shape-rendering side slope "
    "spacing specularconstant specularexponent speed spreadmethod startoffset stddeviation "
    "stemh stemv stitchtiles stop-color stop-opacity strikethrough-position "
    "strikethrough-thickness string stroke stroke-dasharray stroke-dashoffset "
    "stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity stroke-width "
    "surfacescale systemlanguage tablevalues targetx targety text-anchor text-decoration "
    "text-rendering textlength timelinebegin to transform transform-box transform-origin "
    "u1 u2 underline-position underline-thickness unicode unicode-bidi unicode-range "
    "units-per-em v-alphabetic v-hanging v-ideographic v-mathematical values vector-effect "
    "vert-adv-y vert-origin-x vert-origin-y viewbox viewtarget visibility widths "
    "word-spacing writing-mode x x-height x1 x2 xchannelselector y y1 y2 ychannelselector "
    "z zoomandpan")
_MATHML_ATTRIBUTES = (
    "accent accentunder actiontype alignmentscope altimg altimg-height altimg-valign "
    "altimg-width alttext arg bevelled charalign close columnalign columnlines "
    "columnspacing columnspan columnwidth crossout decimalpoint definitionurl denomalign "
    "depth displaystyle edge encoding equalcolumns equalrows fence fontfamily fontsize "
    "fontstyle fontweight groupalign indentalign indentalignfirst indentalignlast "
    "indentshift indentshiftfirst indentshiftlast indenttarget infixlinebreakstyle intent "
    "largeop length linebreak linebreakmultchar linebreakstyle lineleading linethickness "
    "location longdivstyle lspace lquote mathbackground mathcolor mathsize mathvariant "
    "maxsize minlabelspacing minsize movablelimits notation numalign position rowalign "
    "rowlines rowspacing rquote rspace scriptlevel scriptminsize scriptsizemultiplier "
    "selection separator separators shift stackalign stretchy subscriptshift "
    "supscriptshift symmetric voffset")
_ATTRIBUTES = frozenset(f"{_HTML_ATTRIBUTES} {_SVG_ATTRIBUTES} {_MATHML_ATTRIBUTES}".split())
# SVG and MathML attributes are geometry and presentation: their values are not text.
FOREIGN_ATTRIBUTES = frozenset(f"{_SVG_ATTRIBUTES} {_MATHML_ATTRIBUTES}".split())
# data-*, aria-*, on*, xml:*, xlink:*, xmlns:* with a code-like rest: no "@", no spaces,
# no run of four digits (a phone number), checked by _CODE_DIGITS.
_PREFIXED = re.compile(r"(?:data-|aria-|xml:|xlink:|xmlns:)[a-z_][a-z0-9_.:-]*|on[a-z]+")
_CODE_DIGITS = re.compile(r"\d{4}")


def known_element(tag: str) -> bool:
    """Whether *tag* (as Lexbor names it) is an HTML, SVG or MathML element."""
    return tag in _ELEMENTS or tag.lower() in _ELEMENTS


def known_attribute(name: str) -> bool:
    """Whether *name* is an attribute HTML, SVG or MathML defines (or data-/aria-/on...)."""
    lowered = name.lower()
    if lowered in _ATTRIBUTES:
        return True
    return _PREFIXED.fullmatch(lowered) is not None and _CODE_DIGITS.search(lowered) is None


def unknown_names(tag: str, attributes: dict[str, str | None]) -> list[str]:
    """The element's own name when no vocabulary knows it, then its unknown attribute names."""
    found = [] if known_element(tag) else [tag]
    found.extend(name for name in attributes if not known_attribute(name))
    return found
