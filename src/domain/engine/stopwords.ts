// Stop words: function words of English, German and Spanish, plus the filler verbs every ticket uses
// ("need", "should", "add"). They carry no topic, so they neither link an item to a goal nor make two
// items look alike. Lists are generic (from common stop-word lists), not drawn from any backlog.

const EN =
  'a about above after again against all also am an and any are aren as at be because been before being below between both but by ' +
  'can cannot could did do does doing done down during each either else etc even ever every few for from further get gets getting got ' +
  'had has have having he her here hers herself him himself his how however i if in into is isn it its itself just let lets ' +
  'me more most much must my myself no nor not now of off on once one only or other others our ours ourselves out over own per ' +
  'same she should so some such than that the their theirs them themselves then there these they this those through to too ' +
  'under until up upon us very via was we were what when where whether which while who whom whose why will with within without would ' +
  'yet you your yours yourself yourselves eg ie vs e g i e ok okay yes maybe still already really quite may might shall ' +
  'something anything everything nothing someone anyone everyone thing things stuff lot lots way ways';

/** Ticket filler: words that appear in any kind of work item and say nothing about its topic. */
const TICKET_FILLER =
  'need needs needed want wants wanted like please add adds added adding make makes making made use uses used using ' +
  'allow allows able new currently today also should would could will look looks see seen go going via todo tbd wip ' +
  'ticket issue item task story epic subtask sub card follow';

const DE =
  'aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei beim bin bis bist da damit dann das dass ' +
  'dein deine dem den der des dessen dich die dies diese diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer ' +
  'eines er es euer eure für gegen hat hatte hier ich ihm ihn ihr ihre im in ist ja jede jedem jeden jeder jedes jetzt kann kein keine ' +
  'können machen man mein meine mich mir mit muss nach nicht noch nun nur ob oder ohne sein seine sich sie sind so soll sollen sondern ' +
  'um und uns unser unsere unter vom von vor wann war waren warum was weil wenn wer werden wie wieder wir wird wo zu zum zur über';

const ES =
  'a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante e el ella ellas ellos en entre era ' +
  'es esa esas ese eso esos esta estas este esto estos fue ha hay la las le les lo los mas me mi mis mucho muy nada ni no nos nosotros ' +
  'o os otra otro para pero poco por porque que quien se ser si sin sobre su sus también tanto te tiene tienen todo todos tu tus un ' +
  'una uno unos y ya yo';

export const STOP_WORDS: ReadonlySet<string> = new Set(`${EN} ${TICKET_FILLER} ${DE} ${ES}`.split(/\s+/).filter(Boolean));

/** Function words used to guess an item's language (high-frequency, unambiguous per language). */
export const LANGUAGE_MARKERS: Readonly<Record<'de' | 'es', ReadonlySet<string>>> = {
  de: new Set('und der die das nicht mit für ist auf ein eine wird werden sind auch bei nach von zum zur über können muss'.split(' ')),
  es: new Set('el los las del que para con una por como más pero sus está son también cuando desde muy sin sobre puede'.split(' ')),
};
